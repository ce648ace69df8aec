/* The module system's internals, shared by its files:
 *
 *   ms-collect.c  modules: loading, normalising, imports, disabledModules
 *   ms-options.c  the option tree: declarations, the `options` value
 *   ms-merge.c    definitions: pushing properties down the tree, discharging
 *                 mkIf/mkMerge, priorities, order, type checks, merging
 *   ms-config.c   the lazy `config` value, freeform definitions, undefined
 *                 options, cycle reports, evalModules itself
 *   ms-types.c    lib.types: checks, merges and descriptions
 *   ms-util.c     option paths, value printing for messages, small builders
 *
 * Everything lives on the GC heap (it is reachable from the values the
 * language holds), so nothing here is freed by hand. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "eval.h"
#include "strbuf.h"

#define MS_PRIO_PLAIN 100          /* a definition without mkOverride */
#define MS_PRIO_OPTION_DEFAULT 1500 /* an option's `default` */
#define MS_ORDER_DEFAULT 1000

/* An option path, innermost component first; the root is NULL. */
typedef struct Loc {
        const struct Loc *up;
        const char *name;
} Loc;

const Loc *loc_push(const Loc *up, const char *name);
/* "a.b.\"c d\"" as nixpkgs' showOption prints it (GC string). */
const char *loc_show(const Loc *loc);
/* The path as a Nix list of strings. */
Value *loc_to_list(const Loc *loc);
const char *loc_last(const Loc *loc);

/* mkIf conditions collected while a definition is pushed down the tree. */
typedef struct CondList {
        Value *cond;
        const struct CondList *next;
} CondList;

/* One definition of an option (or of a subtree, before it is split). */
typedef struct Def {
        Value *value;
        const char *file;
        const Pos *pos; /* where it is written, or NULL */
        const CondList *conds;
        int32_t prio;  /* from mkOverride, -1 when none applies */
        int32_t order; /* from mkOrder, -1 when none applies */
        bool pending;  /* value is an override's content, not discharged yet */
} Def;

typedef struct DefVec {
        size_t n, cap;
        Def *v;
} DefVec;

void defvec_push(DefVec *dv, const Def *d);

/* The result of mergeDefinitions: the definitions that count, in order, and
 * the merged value (a lazy cell: checking and merging happen when it is
 * forced, as in nixpkgs). */
typedef struct Merged {
        const Loc *loc;
        Value *type; /* NULL: unspecified */
        Def *defs;
        size_t n_defs;
        int32_t highest_prio;
        Value *value;  /* cell; NULL when nothing is defined */
} Merged;

typedef struct MsEval MsEval;
typedef struct Node Node;

/* A node of the option tree: an option, or a set of options. */
struct Node {
        Symbol name;
        Node *parent;
        const Loc *loc;
        MsEval *ms;

        Node **children; /* declared children, in declaration order */
        size_t n_children, cap_children;

        /* Declarations reaching this node (a module's `options` or a part
         * of it), looked at the first time the node's shape is needed. */
        struct PendingDecl *pending;
        size_t n_pending, cap_pending;
        bool declared, declaring;

        /* An option: its merged declaration. */
        bool is_option;
        Value *decl;      /* the first declaration's attribute set */
        Value *type;      /* NULL: none declared */
        Value *default_value;
        const char *default_file;
        Value *apply;
        bool read_only;
        const char **decl_files;
        const Pos **decl_pos;
        uint32_t n_decls;

        /* Definitions reaching this node. Interior nodes hand theirs to
         * their children once, in one pass, the first time one is needed. */
        DefVec defs;
        bool split;
        bool splitting; /* guards against a subtree's shape depending on itself */

        Value *config_cell;  /* config.<path>, made on demand */
        Value *option_cell;  /* options.<path> */
        Merged *merged;      /* an option's, once computed */
};

typedef struct Module {
        const char *file;
        const char *key;
        Value *imports;  /* list */
        Value *disabled; /* list */
        Value *options;  /* set or NULL */
        Value *config;   /* the definitions: a value that is (or discharges to) a set */
        bool shorthand;  /* config is the module itself minus the reserved names */
        Value *freeform_type; /* the module's `freeformType`, or NULL */
        const Pos *freeform_pos;
        struct Module **children; /* imports, loaded */
        size_t n_children;
} Module;

typedef struct UnmatchedDef {
        const Loc *loc;
        Def def;
} UnmatchedDef;

struct MsEval {
        EvalState *st;
        const Loc *prefix;
        Value *lib;
        Value *special_args; /* forced set */
        Value *args_set;     /* what module functions receive */

        Module **modules;
        size_t n_modules;

        Node *root;
        struct NodeTable *table;

        bool collecting;
        const char *collecting_file;

        UnmatchedDef *unmatched;
        size_t n_unmatched, cap_unmatched;
        bool all_split;

        Value *config;  /* unchecked, with _module: what modules see */
        Value *options;
};

typedef struct MsSymbols {
        Symbol _type, condition, content, contents, priority, imports, options, config, _file, key,
                disabledModules, freeformType, meta, _class, require, type, default_, apply, readOnly,
                description, example, _module, args, check, merge, name, file, value, lib, specialArgs,
                __firnType, getSubOptions, emptyValue, modules, shorthandOnlyDefinesConfig, outPath,
                loc, declarations, definitions, definitionsWithLocations, files, highestPrio, isDefined,
                descriptionClass, nestedTypes, elemType, functor, internal, visible, defaultText,
                freeform, s_option;
} MsSymbols;

extern MsSymbols ms_sym;

/* The module system's long-lived GC pointers. firn's GC scans no static
 * data (gc-alloc.c), so they live here, registered as one root. */
typedef struct MsRoots {
        void *merge_stack;    /* ms-config.c: the options being merged */
        Value *lib;           /* ms-types.c: for submodules' evaluations */
        Value *internal_module;
        Value *anything;
        Value *types;
} MsRoots;

extern MsRoots ms_roots;
/* Interns the symbols and registers ms_roots; idempotent. */
void ms_symbols_init(void);

/* ---- ms-util.c ---- */
/* Makes room for one more item in a GC array of n items of size elem
 * (capacity *cap, first_cap when empty); returns the array to use. */
void *ms_grow(void *array, size_t n, size_t *cap, size_t elem, size_t first_cap);
/* A set from parallel arrays (names need not be sorted). */
Value *ms_attrs(size_t n, const Symbol *names, Value *const *values);
Value *ms_string(const char *s);
Value *ms_int(int64_t n);
Value *ms_bool(bool b);
/* A lazy application fn(arg), forced on first use. */
Value *ms_app(Value *fn, Value *arg);
Value *ms_external(const char *kind, void *ptr);
/* A primop value; with args bound when n > 0. */
Value *ms_primop(const PrimOp *op, size_t n, Value *const *args);
/* `_type` of a forced set, or NULL. */
const char *ms_type_tag(EvalState *st, Value *v);
/* A definition's value for messages: forced shallowly, cut at ~200 bytes. */
void ms_show_value(EvalState *st, Value *v, StrBuf *out);
/* "\n- In `FILE:L:C': VALUE" for each definition. */
void ms_show_defs(EvalState *st, const Def *defs, size_t n, StrBuf *out);
const char *ms_def_where(const Def *d);
/* Records a module-system error (catchable, like nixpkgs' throw). */
int ms_error(EvalState *st, const Pos *pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- ms-collect.c ---- */
int ms_collect(MsEval *ms, Value *modules);
/* The set a module function is called with. */
int ms_call_module(MsEval *ms, Value *fn, const char *file, Value *ret);

/* ---- ms-options.c ---- */
/* A declared child, or NULL; the parent must have been declared. */
Node *node_child(MsEval *ms, Node *parent, Symbol name);
Node *node_child_add(MsEval *ms, Node *parent, Symbol name);
/* Queues every module's `options` at the root. */
void ms_declare(MsEval *ms);
/* Processes the declarations reaching n: afterwards n->is_option, its
 * declaration and its children are known. */
int node_declare(MsEval *ms, Node *n);
/* Declares the whole tree (for the undefined-option check and docs). */
int node_declare_all(MsEval *ms, Node *n);
Value *node_option_value(MsEval *ms, Node *n);
int ms_option_record(MsEval *ms, Node *n, Value *ret);

/* ---- ms-merge.c ---- */
/* Hands an interior node's definitions to its children (once). */
int node_split(MsEval *ms, Node *n);
/* mergeDefinitions: defs (raw) into ret. */
int ms_merge_definitions(EvalState *st, const Loc *loc, Value *type, const Def *defs, size_t n,
                         Merged **ret);
/* The merged value of a Merged with something defined (forced). */
int ms_merged_force(EvalState *st, Merged *m, Value *ret);
/* An option's Merged, computing it once. */
int node_merged(MsEval *ms, Node *n, Merged **ret);

/* ---- ms-config.c ---- */
Value *node_config_value(MsEval *ms, Node *n);
int ms_eval_modules(EvalState *st, Value *lib, Value *modules, Value *special_args, const Loc *prefix,
                    MsEval **ret);
/* The config a module list gives (for submodules): checked, without _module. */
int ms_checked_config(MsEval *ms, Value *ret);
/* Cycle reports: the options being merged, innermost last. */
void ms_stack_push(Node *n, const Def *d);
void ms_stack_set_def(const Def *d);
void ms_stack_pop(void);
void ms_note_recursion(EvalState *st, Node *n);

/* ---- ms-types.c ---- */
extern const PrimOp ms_types_primops[];
/* The types set (lib.types). */
Value *ms_types_value(EvalState *st);
/* check: 1 yes, 0 no, <0 error. type is a forced option-type set. */
int ms_type_check(EvalState *st, Value *type, Value *v);
int ms_type_merge(EvalState *st, const Loc *loc, Value *type, const Def *defs, size_t n, Value *ret);
const char *ms_type_description(EvalState *st, Value *type);
/* Declaring the same option twice: the merged type, or NULL when the two
 * cannot merge. */
Value *ms_type_merge_decls(EvalState *st, Value *a, Value *b);
/* The type with its submodules' anonymous modules attributed to file (the
 * declaring one), as nixpkgs' mergeOptionDecls does. */
Value *ms_type_with_file(EvalState *st, Value *type, const char *file);
/* The value an undefined lazyAttrsOf element takes, or NULL. */
Value *ms_type_empty_value(EvalState *st, Value *type);
