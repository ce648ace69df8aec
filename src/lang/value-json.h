/* Values to and from JSON, as Nix 2.8 does it (builtins.toJSON,
 * builtins.fromJSON, `instantiate --eval --json`). */
#pragma once

#include "eval.h"

/* Writes v as JSON to out, forcing as needed (deeply). Strings' contexts and
 * paths copied to the store are added to cb (may be NULL). Sets with
 * __toString or outPath are written as strings; functions are an error. */
int value_to_json(EvalState *st, Value *v, const Pos *pos, ContextBuilder *cb, StrBuf *out);

/* Parses text as JSON into ret (numbers: integers as int, others float). */
int value_from_json(EvalState *st, const char *text, const Pos *pos, Value *ret);
