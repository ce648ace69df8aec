#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli-store.h"
#include "log.h"
#include "strv.h"

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

char **cli_store_paths_from_args(Store *store, int argc, char **argv) {
        char **l = NULL;
        for (int i = 0; i < argc; i++) {
                char *p = NULL, *error = NULL;
                int r = store_path_from_user(store, argv[i], &p, &error);
                if (r < 0) {
                        if (error)
                                log_error("%s", error);
                        else
                                log_error_errno(r, "%s: %m", argv[i]);
                        free(error);
                        return strv_free(l);
                }
                l = strv_consume(l, p);
        }
        return l;
}

int cli_report(int r, char *error, const char *what) {
        if (error)
                log_error("%s", error);
        else
                log_error_errno(r, "%s: %m", what);
        free(error);
        return 1;
}
