#include "cli-eval.h"

#include <stdlib.h>
#include <unistd.h>

#include "module-system.h"
#include "pkgs-eval.h"

const char *cli_modules_dir(void) {
        const char *env = getenv("FIRN_MODULES_DIR");
        if (env && *env)
                return env;
        if (access(FIRN_SOURCE_MODULES_DIR "/lib/default.nix", R_OK) == 0)
                return FIRN_SOURCE_MODULES_DIR;
        return FIRN_INSTALLED_MODULES_DIR;
}

EvalState *cli_eval_state_new(EvalOptions *eo) {
        static const PrimOp *const extra[] = { module_system_primops, debian_primops };
        static SearchPathEntry firn_entry;
        firn_entry = (SearchPathEntry) { .prefix = "firn", .path = cli_modules_dir() };
        eo->builtin_search_path = &firn_entry;
        eo->n_builtin_search_path = 1;
        eo->extra_primops = extra;
        eo->n_extra_primops = 2;
        deb_eval_set_lists_dir(getenv("FIRN_APT_LISTS"));
        return eval_state_new(eo);
}
