/* The store the command line names: --store ROOT (a global option of every
 * command, taken out of argv by main), else $FIRN_STORE, else the real
 * /nix. */
#pragma once

#include "store.h"

/* Set by main from --store; NULL when not given. */
extern const char *arg_store_root;

/* Removes every "--store ROOT" / "--store=ROOT" before a "--" from argv
 * (shifting the rest down), remembering the last in arg_store_root.
 * Returns the new argc, or -1 (after printing why) when ROOT is missing. */
int cli_take_store_option(int argc, char **argv);

/* Opens the chosen store, printing the error. Returns 0 or a negative
 * errno. */
int cli_open_store(Store **ret);

/* Resolves each argument to a logical store path (store_path_from_user),
 * printing the error and returning NULL on the first failure (also NULL,
 * without error, when argc is 0). */
char **cli_store_paths_from_args(Store *store, int argc, char **argv);

/* Prints a library failure once: its message when it gave one (freed
 * here), else what and errno's text. Returns 1, the exit code. */
int cli_report(int r, char *error, const char *what);
