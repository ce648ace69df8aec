/* The abstract syntax tree of a Nix expression.
 *
 * Nodes live on the GC heap and are immutable after parsing and variable
 * binding (ast_bind), except for the lazily filled caches noted below.
 * Operators that Nix desugars to builtins (-, *, /, <, >, <=, >=) are kept as
 * their own nodes but evaluate with exactly those builtins' semantics. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "symbol.h"

/* A source position. file is NULL for expressions given on the command line
 * or standard input (printed as «string» / «stdin»). line and col are 1-based;
 * line 0 means "no position". */
typedef struct Pos {
        const char *file;
        uint32_t line;
        /* 16 bytes in all: positions are in every node. Columns past 2^24
         * wrap (only in pathological one-line files). */
        uint32_t col : 24;
        uint32_t origin : 8; /* PosOrigin */
} Pos;

typedef enum PosOrigin {
        POS_FILE,
        POS_STRING,
        POS_STDIN,
} PosOrigin;

typedef enum ExprKind {
        EXPR_INT,
        EXPR_FLOAT,
        EXPR_STRING,
        EXPR_PATH,
        EXPR_VAR,
        EXPR_SELECT,
        EXPR_HAS_ATTR,
        EXPR_ATTRS,
        EXPR_LIST,
        EXPR_LAMBDA,
        EXPR_CALL,
        EXPR_LET,
        EXPR_WITH,
        EXPR_IF,
        EXPR_ASSERT,
        EXPR_NOT,
        EXPR_NEGATE,
        EXPR_EQ,
        EXPR_NEQ,
        EXPR_AND,
        EXPR_OR,
        EXPR_IMPL,
        EXPR_UPDATE,
        EXPR_CONCAT_LISTS,
        EXPR_CONCAT_STRINGS,
        EXPR_SUB,
        EXPR_MUL,
        EXPR_DIV,
        EXPR_LT,  /* a < b */
        EXPR_LE,  /* a <= b, i.e. !(b < a) */
        EXPR_GT,  /* a > b, i.e. b < a */
        EXPR_GE,  /* a >= b, i.e. !(a < b) */
        EXPR_CUR_POS,
} ExprKind;

typedef struct Expr Expr;
struct Value;

/* One element of an attribute path: a static name, or an expression that
 * evaluates to a name (when expr != NULL). */
typedef struct AttrName {
        Symbol sym;
        Expr *expr;
} AttrName;

typedef struct AttrPath {
        uint32_t n;
        AttrName *names;
} AttrPath;

typedef enum AttrDefKind {
        ATTR_DEF_PLAIN,       /* name = expr; evaluated in the set's scope if rec */
        ATTR_DEF_INHERITED,   /* inherit name; always the enclosing scope */
        ATTR_DEF_INHERIT_FROM,/* inherit (e) name; expr selects from e, enclosing scope */
} AttrDefKind;

typedef struct AttrDef {
        Symbol name;
        uint8_t kind; /* AttrDefKind */
        Expr *expr;
        Pos pos;
} AttrDef;

typedef struct DynamicAttrDef {
        Expr *name;
        Expr *value;
        Pos pos;
} DynamicAttrDef;

typedef struct Formal {
        Symbol name;
        Expr *def; /* NULL if required */
        Pos pos;
} Formal;

/* 64 bytes: 8 for the kind, 16 for the position, 40 for the union. */
struct Expr {
        uint8_t kind; /* ExprKind */
        Pos pos;
        union {
                struct {
                        union {
                                int64_t integer;
                                double fpoint;
                        };
                        /* EXPR_INT, EXPR_FLOAT: the literal's value, made
                         * on first use. */
                        struct Value *constant_num;
                };
                /* EXPR_STRING and EXPR_PATH: a ready value, shared by every
                 * evaluation (values without context are immutable). */
                struct Value *constant;
                struct {
                        Symbol name;
                        bool from_with;
                        /* Environments to walk up; for from_with, to the
                         * innermost `with` env. */
                        uint32_t level;
                        uint32_t displ;
                } var;
                struct {
                        Expr *e;
                        AttrPath path;
                        Expr *def; /* `or` default, or NULL */
                } select;
                struct {
                        Expr *e;
                        AttrPath path;
                } has_attr;
                struct {
                        bool recursive;
                        uint32_t n_attrs, cap_attrs;
                        AttrDef *attrs; /* in source order; names unique */
                        uint32_t n_dynamic, cap_dynamic;
                        DynamicAttrDef *dynamic;
                } attrs;
                struct {
                        uint32_t n;
                        Expr **elems;
                } list;
                struct {
                        Symbol arg; /* 0 if none */
                        bool has_formals;
                        bool ellipsis;
                        uint32_t n_formals;
                        Formal *formals; /* sorted by symbol_compare */
                        Expr *body;
                        Symbol name; /* attribute it was bound to, for traces */
                } lambda;
                struct {
                        Expr *fn;
                        uint32_t n_args;
                        Expr **args;
                } call;
                struct {
                        Expr *attrs; /* EXPR_ATTRS, recursive, no dynamic attrs */
                        Expr *body;
                } let;
                struct {
                        Expr *attrs;
                        Expr *body;
                        /* Distance to the next enclosing `with` env, 0 if none. */
                        uint32_t prev_with;
                } with;
                struct {
                        Expr *cond, *then_, *else_;
                } if_;
                struct {
                        Expr *cond, *body;
                } assert_;
                struct {
                        Expr *a, *b;
                } bin;
                Expr *unary;
                struct {
                        bool force_string;
                        uint32_t n;
                        Expr **parts;
                        Pos *poss;
                } concat;
        };
};

Expr *expr_new(ExprKind kind, Pos pos);

/* Renders an attribute path as Nix does in messages: a.b."c d".${…}. Result
 * is GC-allocated. */
const char *attr_path_to_string(const AttrPath *path);

/* Prints the expression back as Nix source, as `nix-instantiate --parse`
 * does (approximately; used for --parse output). GC-allocated result. */
char *expr_to_string(const Expr *e);
