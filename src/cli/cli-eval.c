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
        /* <firn/…>: the modules; <firn-libexec/…>: the target-side programs
         * (stage 1, activation), from $FIRN_LIBEXEC_DIR, the build tree
         * (one directory per program there) or the installed libexecdir;
         * the first entry holding the file wins. */
        static SearchPathEntry entries[5];
        size_t n = 0;
        entries[n++] = (SearchPathEntry) { .prefix = "firn", .path = cli_modules_dir() };
        const char *libexec = getenv("FIRN_LIBEXEC_DIR");
        if (libexec && *libexec)
                entries[n++] = (SearchPathEntry) { .prefix = "firn-libexec", .path = libexec };
        entries[n++] = (SearchPathEntry) { .prefix = "firn-libexec", .path = FIRN_BUILD_DIR "/activation/stage-1" };
        entries[n++] = (SearchPathEntry) { .prefix = "firn-libexec", .path = FIRN_BUILD_DIR "/activation/stage-2" };
        entries[n++] = (SearchPathEntry) { .prefix = "firn-libexec", .path = FIRN_INSTALLED_LIBEXEC_DIR };
        eo->builtin_search_path = entries;
        eo->n_builtin_search_path = n;
        eo->extra_primops = extra;
        eo->n_extra_primops = 2;
        deb_eval_set_lists_dir(getenv("FIRN_APT_LISTS"));
        return eval_state_new(eo);
}
