/* The evaluator's store hooks (EvalStoreHooks in src/lang/eval.h), filled
 * from the store library: the CLI joins the two so the language never
 * depends on the store. */
#pragma once

#include "eval.h"

/* Hooks for a read-only evaluation (nix-instantiate --eval): add_path
 * computes the store path a source path would get, without writing
 * anything, as Nix's computeStorePathForPath does: name = baseNameOf(path),
 * the path's NAR hashed with sha256, a fixed-output "source" path in
 * store_dir (STORE_DIR_DEFAULT when NULL). Like Nix's srcToStore, results
 * are cached per path for the life of the process; the state is never
 * freed. Names ending in ".drv" are refused, as Nix does. */
EvalStoreHooks store_hooks_read_only(const char *store_dir);
