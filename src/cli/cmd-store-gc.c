/* `firn store gc` and `firn store delete`: placeholder until written. */
#include <stdio.h>

#include "cmd-store.h"

int cmd_store_gc(Store *store, int argc, char **argv) {
        fputs("firn store gc: not written yet\n", stderr);
        return 1;
}

int cmd_store_delete(Store *store, int argc, char **argv) {
        fputs("firn store delete: not written yet\n", stderr);
        return 1;
}
