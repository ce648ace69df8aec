/* Instantiation for other commands (firn build): nix-instantiate's flags
 * in argv (argv[0] is the command name), evaluated with writing store hooks
 * on store; every derivation found is handed to on_drv instead of being
 * printed. Returns the exit code (errors are printed). */
#pragma once

#include "store.h"

/* Returns < 0 to stop with an error (already reported). */
typedef int (*DrvCallback)(void *userdata, const char *drv_path, const char *output);

int cli_instantiate(int argc, char **argv, Store *store, DrvCallback on_drv, void *userdata);
