/* Values to XML, as Nix 2.8's builtins.toXML and `instantiate --eval --xml`. */
#pragma once

#include "eval.h"

/* strict: force everything (deeply); otherwise unforced values are written as
 * <unevaluated />. location: add path/line/column attributes to functions and
 * attributes where known (off with --no-location). */
int value_to_xml(EvalState *st, Value *v, const Pos *pos, bool strict, bool location,
                 ContextBuilder *cb, StrBuf *out);
