/* Static variable resolution: after parsing, every variable is resolved to
 * (levels up, slot) in the chain of environments, or marked as coming from
 * an enclosing `with`. A variable that is neither is an error here, before
 * any evaluation, as in Nix. */
#pragma once

#include <stdbool.h>

#include "ast.h"
#include "parser.h"

typedef struct StaticEnv StaticEnv;

struct StaticEnv {
        const StaticEnv *up;
        bool is_with;
        uint32_t n;
        const Symbol *names;   /* slot order */
        const uint32_t *index; /* slots sorted by Symbol, for lookup; NULL if n is small */
};

/* Builds a static env whose slot i is names[i] (GC-allocated). */
StaticEnv *static_env_new(const StaticEnv *up, const Symbol *names, uint32_t n);
/* Returns the slot of name, or -1. */
int static_env_find(const StaticEnv *env, Symbol name);

int ast_bind(Expr *e, const StaticEnv *env, ParseError *ret_error);
