/* The native module system: NixOS's lib.evalModules semantics in C.
 *
 * Exposed to the language as one constant, builtins.__firnModuleSystem, an
 * attribute set of primops (evalModules, mkOption, mkIf, types, …) that
 * modules/lib/default.nix merges into `lib`. */
#pragma once

#include "eval.h"

/* The primop table to pass in EvalOptions.extra_primops. */
extern const PrimOp module_system_primops[];
