/* The evaluator's store hooks (EvalStoreHooks in src/lang/eval.h), filled
 * from the store library: the CLI joins the two so the language never
 * depends on the store. */
#pragma once

#include "eval.h"
#include "store.h"

/* Hooks for a read-only evaluation (nix-instantiate --eval): every hook
 * computes the store path a real store would give, and writes nothing.
 *   add_path: as Nix's computeStorePathForPath: name = baseNameOf(path),
 *     the path's NAR hashed with sha256, a fixed-output "source" path in
 *     store_dir (STORE_DIR_DEFAULT when NULL). Like Nix's srcToStore,
 *     results are cached per path for the life of the process. Names ending
 *     in ".drv" are refused, as Nix does.
 *   add_path_filtered, add_text: the same computation, without a cache.
 *   write_derivation: the output paths and the .drv path; the derivation is
 *     kept in memory, for the derivations that use it (hashDerivationModulo
 *     needs the inputs). A .drv the evaluation did not make is read from
 *     the file of that name, if there is one.
 *   path_closure: fails, "path '…' is not valid" (no path is registered).
 * The state is never freed. */
EvalStoreHooks store_hooks_read_only(const char *store_dir);

/* Hooks that write (nix-instantiate without --eval): sources, texts and
 * .drv files are added to store, which must outlive the hooks; path_closure
 * follows the database's references. */
EvalStoreHooks store_hooks_writable(Store *store, const char *store_dir);
