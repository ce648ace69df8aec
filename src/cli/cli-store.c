#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-store.h"
#include "log.h"

const char *arg_store_root = NULL;

int cli_take_store_option(int argc, char **argv) {
        int w = 0;
        bool done = false;
        for (int i = 0; i < argc; i++) {
                const char *a = argv[i];
                if (!done && strcmp(a, "--") == 0)
                        done = true;
                if (!done && strcmp(a, "--store") == 0) {
                        if (i + 1 >= argc) {
                                log_error("option '--store' needs an argument (the store's root directory)");
                                return -1;
                        }
                        arg_store_root = argv[++i];
                        continue;
                }
                if (!done && strncmp(a, "--store=", 8) == 0) {
                        arg_store_root = a + 8;
                        continue;
                }
                argv[w++] = argv[i];
        }
        argv[w] = NULL;
        return w;
}

int cli_open_store(Store **ret) {
        char *error = NULL;
        int r = store_open(store_choose_root(arg_store_root), ret, &error);
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                free(error);
        }
        return r;
}
