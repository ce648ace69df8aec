/* Printing values as `nix-instantiate --eval` does. */
#pragma once

#include "eval.h"

/* strict: force deeply first (--strict); otherwise unforced values print as
 * <CODE>. Strings are quoted and escaped as Nix does. Repeated sets and lists
 * within one print are shown as <repeated> like Nix 2.8 does. */
int value_print(EvalState *st, Value *v, bool strict, StrBuf *out);
/* Appends a name as Nix 2.8 shows identifiers: bare when it lexes as one,
 * else as a string literal. */
void print_identifier(StrBuf *out, const char *s);
/* Appends s as a Nix string literal ("…" with \" \\ \n \r \t \${ escaped). */
void print_string_literal(StrBuf *out, const char *s);
