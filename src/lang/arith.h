/* Arithmetic on Nix numbers, shared by builtins.{add,sub,mul,div} and the
 * evaluator's `+ - * /` operators.
 *
 * a and b must already be forced. The result is a float when either operand
 * is a float, else an int. Each function returns 0 and writes *ret (which may
 * alias a or b), or returns EVAL_FAILED with the error recorded in st:
 *   - a non-number operand: the message eval_force_int()/eval_force_float()
 *     give ("value is a string while an integer was expected"), checking the
 *     operands in the order Nix 2.8's primops do. (The `+` operator has its
 *     own messages, "cannot add a string to an integer", so it should call
 *     arith_add() only once both operands are numbers.)
 *   - integer overflow (EVAL_ERROR_OVERFLOW): "integer overflow in adding
 *     A + B" (subtracting A - B, multiplying A * B). Nix 2.8 wraps around
 *     silently here; firn refuses on purpose (tests/lang/nix-differs.txt).
 *   - arith_div(): "division by zero" when b is 0 or 0.0, and Nix's own
 *     "overflow in integer division" for INT64_MIN / -1. */
#pragma once

#include <stdint.h>

#include "eval.h"

int arith_add(EvalState *st, Value *a, Value *b, const Pos *pos, Value *ret);
int arith_sub(EvalState *st, Value *a, Value *b, const Pos *pos, Value *ret);
int arith_mul(EvalState *st, Value *a, Value *b, const Pos *pos, Value *ret);
int arith_div(EvalState *st, Value *a, Value *b, const Pos *pos, Value *ret);

/* Converts a float to an integer the way Nix 2.8's ceil/floor do on x86-64:
 * NaN and values outside the int64 range become INT64_MIN. */
int64_t arith_float_to_int(double d);
