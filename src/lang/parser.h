/* The Nix parser: tokens to an AST, with Nix 2.8's grammar, precedences,
 * attribute-path merging and desugarings. Variables are not resolved here
 * (see bind.h). */
#pragma once

#include <stddef.h>

#include "ast.h"

typedef struct ParseError {
        char *message; /* GC */
        Pos pos;
} ParseError;

/* Parses text (NUL-terminated at text[len]). file names the source for
 * positions (NULL for strings and stdin, with origin saying which);
 * base_dir is the directory relative paths resolve against.
 * Returns 0 and the expression, or -EINVAL with ret_error filled in. */
int parse_nix(const char *text, size_t len, PosOrigin origin, const char *file,
              const char *base_dir, Expr **ret, ParseError *ret_error);

/* Makes path absolute against base_dir and removes "." and ".." components
 * and duplicate slashes, as Nix's canonPath does (no symlink resolution).
 * GC-allocated result. */
char *canon_path(const char *path, const char *base_dir);
