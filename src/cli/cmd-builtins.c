/* `firn builtins`: every builtin with its arguments and documentation. */
#include <stdio.h>
#include <string.h>

#include "builtins.h"
#include "commands.h"

int cmd_builtins(int argc, char **argv) {
        const char *only = argc > 1 ? argv[1] : NULL;
        size_t n;
        const PrimOp *const *tables = builtins_tables(&n);
        for (size_t t = 0; t < n; t++)
                for (const PrimOp *p = tables[t]; p->name; p++) {
                        if (only && strcmp(only, p->name) != 0)
                                continue;
                        printf("builtins.%s", p->name);
                        for (unsigned i = 0; i < p->arity && i < 4; i++)
                                printf(" %s", p->args[i] ? p->args[i] : "arg");
                        printf("\n    %s\n", p->doc ? p->doc : "");
                }
        return 0;
}
