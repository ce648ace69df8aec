#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fault.h"

static struct {
        int ready;
        unsigned long fail_at, kill_at;
        int trace;
        int error;
        unsigned long step;
} fault;

static unsigned long env_number(const char *name) {
        const char *s = getenv(name);
        return s ? strtoul(s, NULL, 10) : 0;
}

int fault_point(const char *what) {
        if (!fault.ready) {
                fault.fail_at = env_number("FIRN_FAULT_AT");
                fault.kill_at = env_number("FIRN_FAULT_KILL");
                fault.trace = getenv("FIRN_FAULT_TRACE") != NULL;
                fault.error = (int) env_number("FIRN_FAULT_ERRNO");
                if (fault.error <= 0)
                        fault.error = EIO;
                fault.ready = 1;
        }
        if (!fault.fail_at && !fault.kill_at && !fault.trace)
                return 0;
        /* Atomic: parallel downloads pass failure points from threads. */
        unsigned long step = __atomic_add_fetch(&fault.step, 1, __ATOMIC_SEQ_CST);
        if (fault.trace)
                fprintf(stderr, "firn-fault: %lu %s\n", step, what);
        if (step == fault.kill_at)
                raise(SIGKILL);
        if (step == fault.fail_at)
                return -fault.error;
        return 0;
}
