#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static const char *program = "firn";

void log_set_program(const char *name) {
        program = name;
}

static void log_v(const char *level, const char *fmt, va_list ap) {
        fprintf(stderr, "%s: %s: ", program, level);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
}

int log_error_errno(int r, const char *fmt, ...) {
        va_list ap;
        int saved = errno;
        errno = r < 0 ? -r : r; /* for %m */
        va_start(ap, fmt);
        log_v("error", fmt, ap);
        va_end(ap);
        errno = saved;
        return r;
}

void log_error(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_v("error", fmt, ap);
        va_end(ap);
}

void log_warning(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        log_v("warning", fmt, ap);
        va_end(ap);
}
