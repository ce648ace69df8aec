/* The evaluator as every firn command sets it up. */
#pragma once

#include "eval.h"

/* firn's own Nix files (modules/, with modules/lib): $FIRN_MODULES_DIR, else
 * the source tree firn was built from when it is still there, else the
 * installed copy under the data directory. */
const char *cli_modules_dir(void);

/* eval_state_new() with the module system's primops registered and `firn`
 * (firn's modules/ tree) searched after the search path, so `<firn/lib>`
 * works with no flags. eo is completed in place. */
EvalState *cli_eval_state_new(EvalOptions *eo);
