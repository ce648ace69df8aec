/* The lazy evaluator.
 *
 * Every fallible function returns an int: >= 0 on success, EVAL_FAILED on
 * failure, with the error recorded in the EvalState (eval_error(); message,
 * position and trace frames). A caller that can add context does so with
 * eval_error_add_frame() and returns EVAL_FAILED on; nothing unwinds with
 * longjmp, so cleanups always run.
 *
 * Values passed in are GC objects; results are written to ret (a Value the
 * caller owns) only on success. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "cleanup.h"
#include "strbuf.h"
#include "value.h"

#define EVAL_FAILED (-10000)

typedef enum EvalErrorKind {
        EVAL_ERROR_GENERIC,
        EVAL_ERROR_PARSE,
        EVAL_ERROR_TYPE,
        EVAL_ERROR_UNDEFINED_VARIABLE,
        EVAL_ERROR_MISSING_ARGUMENT,
        EVAL_ERROR_THROWN,          /* throw: caught by tryEval */
        EVAL_ERROR_ASSERTION,       /* assert: caught by tryEval */
        EVAL_ERROR_ABORT,           /* abort: never caught */
        EVAL_ERROR_INFINITE_RECURSION,
        EVAL_ERROR_STACK_OVERFLOW,
        EVAL_ERROR_OVERFLOW,        /* integer overflow */
        EVAL_ERROR_IO,
} EvalErrorKind;

typedef struct EvalFrame {
        Pos pos;
        char *message; /* GC */
} EvalFrame;

typedef struct EvalError {
        EvalErrorKind kind;
        char *message; /* GC; without the "error: " prefix */
        Pos pos;       /* line 0 when none */
        char *suggestions; /* "foo" or "one of a, b or c", or NULL */
        size_t n_frames, cap_frames;
        EvalFrame *frames; /* innermost first */
} EvalError;

typedef struct SearchPathEntry {
        const char *prefix; /* "" for a plain directory */
        const char *path;
} SearchPathEntry;

/* ---- store hooks (builtins-store.c uses all but add_path) ---- */

/* Decides whether the entry path (of type "regular", "directory", "symlink"
 * or "unknown") is copied, for builtins.path and filterSource: returns 1
 * (yes), 0 (no), or EVAL_FAILED with the error recorded in the EvalState;
 * hooks then stop and return EVAL_FAILED without a message. */
typedef int (*EvalPathFilter)(void *userdata, const char *path, const char *type);

typedef struct Derivation Derivation; /* src/store/derivation.h */

/* The store hooks the language uses (ARCHITECTURE.md: the language reaches
 * the store only through these). NULL hooks mean "no store": path coercion
 * to the store and derivations then fail with a clear error.
 *
 * Every hook returns >= 0 and its result (store paths on the GC heap), or a
 * negative errno and, if non-NULL, a malloc'ed message in Nix's words in
 * *ret_error (the evaluator frees it). */
typedef struct EvalStoreHooks {
        void *userdata;
        /* Copy a source path into the store; returns its store path (GC). */
        int (*add_path)(void *userdata, const char *path, const char **ret_store_path, char **ret_error);
        /* builtins.path, filterSource: path copied as name, recursively
         * (NAR, sha256, through filter when not NULL) or flat (the file's
         * sha256; no filter). */
        int (*add_path_filtered)(void *userdata, const char *path, const char *name, bool recursive,
                                 EvalPathFilter filter, void *filter_userdata, const char **ret_store_path,
                                 char **ret_error);
        /* builtins.toFile: a text file with references refs (sorted store
         * paths). */
        int (*add_text)(void *userdata, const char *name, const char *contents, const char *const *refs,
                        size_t n_refs, const char **ret_store_path, char **ret_error);
        /* derivationStrict: completes drv's output paths (Nix's
         * hashDerivationModulo needs the inputs, which the store knows) and
         * writes the .drv, returning its path. The store takes ownership of
         * drv, also on failure. On success *ret_drv (if not NULL) points at
         * the completed derivation, valid as long as the hooks. */
        int (*write_derivation)(void *userdata, Derivation *drv, const char **ret_drv_path,
                                const Derivation **ret_drv, char **ret_error);
        /* The output names of the derivation drv_path, sorted. */
        int (*derivation_outputs)(void *userdata, const char *drv_path, const char ***ret_outputs,
                                  size_t *ret_n, char **ret_error);
        /* The closure of a valid store path (itself included), sorted, for
         * a "=" (all outputs) context in derivationStrict. */
        int (*path_closure)(void *userdata, const char *path, const char ***ret_paths, size_t *ret_n,
                            char **ret_error);
} EvalStoreHooks;

typedef struct EvalOptions {
        SearchPathEntry *search_path; /* -I entries first, then NIX_PATH */
        size_t n_search_path;
        /* Consulted after the search path, like Nix's <nix/…> files, and
         * not listed in builtins.nixPath (firn's own <firn/…>). */
        const SearchPathEntry *builtin_search_path;
        size_t n_builtin_search_path;
        const char *store_dir;        /* default "/nix/store" */
        const char *system;           /* default "x86_64-linux" */
        bool show_trace;              /* record call-site frames (Nix does only then) */
        unsigned max_call_depth;      /* default 100000 (calls and forced thunks) */
        EvalStoreHooks store;
        /* Primop tables from the layers above (the module system), each
         * ending with a NULL name, registered after the language's own. */
        const PrimOp *const *extra_primops;
        size_t n_extra_primops;
} EvalOptions;

typedef struct EvalState EvalState;

EvalState *eval_state_new(const EvalOptions *opts);
const EvalError *eval_state_error(const EvalState *st);
void eval_state_clear_error(EvalState *st);
/* Symbols the evaluator uses a lot. */
typedef struct EvalSymbols {
        Symbol outPath, drvPath, type, name, value, success, file, line, column,
                functor, body, or_, derivation, outputs, key, operator_, right, wrong,
                startSet, data, path, recursive, sha256, filter, args, result;
} EvalSymbols;
const EvalSymbols *eval_symbols(const EvalState *st);
const char *eval_store_dir(const EvalState *st);

/* Records an error and returns EVAL_FAILED. pos may be NULL. */
int eval_error(EvalState *st, EvalErrorKind kind, const Pos *pos, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
int eval_verror(EvalState *st, EvalErrorKind kind, const Pos *pos, const char *fmt, va_list ap);
/* Adds a "while …" frame to the current error; returns EVAL_FAILED. */
int eval_error_add_frame(EvalState *st, const Pos *pos, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Attaches "Did you mean …?" suggestions to the current error: the names
 * closest to query by edit distance (at most 2 edits, at most 5 names). */
void eval_error_suggest(EvalState *st, const char *query, const char *const *names, size_t n);
/* Suggestions from the attribute names of a set. */
void eval_error_suggest_attrs(EvalState *st, const char *query, const Bindings *b);

/* For an infinite-recursion error: the value (a thunk or application under
 * evaluation) that was forced again. */
Value *eval_error_recursion_value(const EvalState *st);
/* Replaces the current error's message (kind, position and frames stay). */
void eval_error_set_message(EvalState *st, const char *message);

/* Formats the recorded error the way Nix 2.8 prints it (with the source
 * line and, when show_trace, the frames). */
void eval_error_format(const EvalState *st, bool show_trace, StrBuf *out);

/* Parsing. path/base_dir: the file (for positions) and the directory that
 * relative paths resolve against. The result is bound against the base
 * environment (builtins), so undefined variables are reported here. */
int eval_parse_string(EvalState *st, const char *text, size_t len, PosOrigin origin,
                      const char *path, const char *base_dir, Expr **ret);
int eval_parse_file(EvalState *st, const char *path, Expr **ret);

/* Evaluation. */
int eval_expr(EvalState *st, Expr *e, Value *ret);
/* import: parse (cached per path) and evaluate a file, or dir/default.nix. */
int eval_file(EvalState *st, const char *path, Value *ret);

/* Forces v to weak head normal form (in place). Already-forced values return
 * at once, inline; thunks and applications go through eval_force_slow(). */
int eval_force_slow(EvalState *st, Value *v, const Pos *pos);
static inline int eval_force(EvalState *st, Value *v, const Pos *pos) {
        if (__builtin_expect(v->type > VT_BLACKHOLE, 1))
                return 0;
        return eval_force_slow(st, v, pos);
}
/* Forces recursively (attrs and lists), like builtins.deepSeq. */
int eval_force_deep(EvalState *st, Value *v, const Pos *pos);
int eval_force_int(EvalState *st, Value *v, const Pos *pos, int64_t *ret);
/* Accepts ints too (converted). */
int eval_force_float(EvalState *st, Value *v, const Pos *pos, double *ret);
int eval_force_bool(EvalState *st, Value *v, const Pos *pos, bool *ret);
int eval_force_attrs(EvalState *st, Value *v, const Pos *pos);
int eval_force_list(EvalState *st, Value *v, const Pos *pos);
/* Lambdas, primops, partial primop applications and sets with __functor. */
int eval_force_function(EvalState *st, Value *v, const Pos *pos);
/* A string value (no coercion). Its context, if any, is added to cb when cb
 * is not NULL. */
int eval_force_string(EvalState *st, Value *v, const Pos *pos, ContextBuilder *cb, const char **ret);
/* Like eval_force_string, but a string with context is an error. */
int eval_force_string_no_context(EvalState *st, Value *v, const Pos *pos, const char **ret);

/* Nix's coerceToString: strings as they are, paths (copied to the store when
 * copy_to_store), sets with __toString or outPath; with coerce_more also
 * ints, floats, bools ("1"/""), null (""), and lists (space-separated). */
int eval_coerce_to_string(EvalState *st, Value *v, const Pos *pos, ContextBuilder *cb,
                          bool coerce_more, bool copy_to_store, const char **ret);
/* coerceToPath: a string or path that is absolute; returns the path. */
int eval_coerce_to_path(EvalState *st, Value *v, const Pos *pos, ContextBuilder *cb, const char **ret);

/* Applies fn to args (fn forced as a function first). */
int eval_call(EvalState *st, Value *fn, size_t n_args, Value **args, Value *ret, const Pos *pos);
/* Deep equality, as ==. */
int eval_equal(EvalState *st, Value *a, Value *b, const Pos *pos, bool *ret);
/* builtins.lessThan's ordering (numbers, strings, paths, lists). */
int eval_less_than(EvalState *st, Value *a, Value *b, const Pos *pos, bool *ret);

/* Looks up name in a forced attribute set; NULL when missing. */
Attr *eval_get_attr(Value *attrs, Symbol name);
/* Returns 1 when v is a set with type = "derivation" (forcing `type`). */
int eval_is_derivation(EvalState *st, Value *v);

/* The search path (NIX_PATH and -I) as a resolver for <name>. */
int eval_find_file(EvalState *st, const char *name, const Pos *pos, const char **ret);
const SearchPathEntry *eval_search_path(const EvalState *st, size_t *ret_n);

/* The global environment's `builtins` set. */
Value *eval_builtins_value(EvalState *st);

/* Primitive operations (builtins). One static record per builtin. */
typedef int (*PrimOpFn)(EvalState *st, const Pos *pos, Value **args, Value *ret);

struct PrimOp {
        const char *name;     /* as in builtins.NAME */
        uint8_t arity;        /* 0 for a constant computed once by fn */
        bool global;          /* also bound as NAME at top level (else __NAME) */
        const char *args[4];
        const char *doc;
        PrimOpFn fn;
};

/* Each builtins-*.c file exports a table ending with an entry whose name is
 * NULL; builtins.c lists the tables. */
extern const PrimOp builtins_core[];
extern const PrimOp builtins_strings[];
extern const PrimOp builtins_lists[];
extern const PrimOp builtins_attrs[];
extern const PrimOp builtins_math[];
extern const PrimOp builtins_files[];
extern const PrimOp builtins_hash[];
extern const PrimOp builtins_versions[];
extern const PrimOp builtins_json[];
extern const PrimOp builtins_toml[];
extern const PrimOp builtins_xml[];
extern const PrimOp builtins_context[];
extern const PrimOp builtins_regex[];
extern const PrimOp builtins_store[];

/* The depth counter for recursion bounding (C stack). Builtins that recurse
 * on data (toJSON, toXML, deepSeq, ==) call these around each level. */
int eval_depth_enter(EvalState *st, const Pos *pos);
void eval_depth_leave(EvalState *st);

/* A throw/assert error is pending (tryEval may catch it). */
bool eval_error_is_catchable(const EvalState *st);
