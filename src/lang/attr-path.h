/* What nix-instantiate does around evaluation: selecting `-A a.b.0` paths
 * and calling a top-level function with --arg/--argstr values, and reading
 * the search path from NIX_PATH and -I. */
#pragma once

#include "eval.h"

/* Nix's autoCallFunction: a function with formals is called with the
 * matching attributes of args (all of them if it has `...`); a missing
 * required argument is an error; other values are returned as they are. */
int eval_auto_call(EvalState *st, Bindings *args, Value *fun, Value *ret);

/* Nix's findAlongAttrPath: walks a dot-separated path ("a.b.0"; numbers
 * index lists; "" is the value itself), auto-calling functions before each
 * step. *ret points to the selected value, forced. */
int eval_find_along_attr_path(EvalState *st, const char *attr_path, Bindings *auto_args,
                              Value *root, Value **ret);

/* Appends entries parsed from a NIX_PATH-style string ("a=/x:/y") to
 * *entries (GC array, *n entries). */
void search_path_parse(const char *s, SearchPathEntry **entries, size_t *n);
/* Appends one -I argument ("prefix=path" or "path"). */
void search_path_add(const char *s, SearchPathEntry **entries, size_t *n);
