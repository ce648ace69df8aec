/* Registration of the builtins: fills the base environment and the
 * `builtins` set from every builtins_* table (see eval.h). */
#pragma once

#include "eval.h"

void builtins_init(EvalState *st);
/* All registered primops, for `firn` to print their documentation. */
const PrimOp *const *builtins_tables(size_t *ret_n);
