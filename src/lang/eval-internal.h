/* The evaluator's state and the helpers shared by eval.c and the builtins
 * that need more than eval.h (import, scopedImport, positions). Not for use
 * outside src/lang. */
#pragma once

#include "bind.h"
#include "eval.h"

/* A string-keyed map on the GC heap (keys copied). */
typedef struct StrMap {
        size_t n, n_slots;
        const char **keys;
        void **values;
} StrMap;

void *strmap_get(StrMap *m, const char *key);
void strmap_put(StrMap *m, const char *key, void *value);

struct EvalState {
        EvalOptions opts;
        EvalError error;
        bool has_error;
        /* The value whose re-entry raised the last infinite recursion. */
        Value *recursion_value;
        EvalSymbols sym;
        Symbol s_to_string, s_overrides, s_ignore_nulls;

        /* The global scope: builtins and the names bound at top level. */
        Env *base_env;
        StaticEnv *static_base_env;
        Value *builtins;

        unsigned depth;
        StrMap file_parse_cache; /* resolved path → Expr* */
        StrMap file_eval_cache;  /* resolved path → Value* */
        StrMap regex_cache;      /* for builtins that want one */
};

/* "file:line:col" as Nix prints positions inside messages. GC result. */
const char *pos_show(const Pos *pos);
/* { file; line; column; } for pos, or null when there is none. */
int eval_make_pos(EvalState *st, const Pos *pos, Value *v);
int eval_expr_in_env(EvalState *st, Env *env, Expr *e, Value *ret);
/* A new environment of size slots (NULL-filled) below up. */
Env *eval_env_new(uint32_t size, Env *up);
/* import: evaluate a file once (cached by resolved path). */
int eval_import(EvalState *st, const char *path, const Pos *pos, Value *ret);
/* scopedImport: evaluate a file with scope's attributes as extra variables. */
int eval_scoped_import(EvalState *st, Value *scope, const char *path, const Pos *pos, Value *ret);
/* Reads a whole file into GC memory (NUL-terminated). */
int eval_read_file(EvalState *st, const char *path, const Pos *pos, char **ret, size_t *ret_len);
/* Copies a source path to the store through the store hooks. */
int eval_copy_path_to_store(EvalState *st, const char *path, const Pos *pos, const char **ret);

/* ---- store builtins (builtins-store.c) ---- */
/* import of a path under /__corepkgs__/ (what <nix/…> resolves to when the
 * search path has no nix/ entry): the sources built into firn. Returns 1
 * and the value when path is one of them, 0 when it is not (the caller
 * goes on as for any path), EVAL_FAILED on error. */
int eval_import_corepkg(EvalState *st, const char *path, const Pos *pos, Value *ret);
/* Evaluates firn's `derivation` function (Nix code on top of
 * derivationStrict) into v; call once the base environment exists. */
int builtins_store_init_derivation(EvalState *st, Value *v);
/* ---- end store builtins ---- */
