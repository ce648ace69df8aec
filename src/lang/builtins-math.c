/* Numbers: add, sub, mul, div, lessThan, bitAnd, bitOr, bitXor, ceil, floor.
 * Semantics and messages follow Nix 2.8's primops.cc, except that integer
 * overflow is an error (see arith.h). */
#include <math.h>

#include "arith.h"
#include "eval.h"

static bool is_float(const Value *v) {
        return v->type == VT_FLOAT;
}

typedef enum NumKind {
        NUM_INT,
        NUM_FLOAT,
} NumKind;

/* The operands of add/sub/mul as two ints or, when either is a float, two
 * floats. Checks the left operand first, like Nix. Returns the NumKind. */
static int numbers(EvalState *st, Value *a, Value *b, const Pos *pos,
                   int64_t *ret_x, int64_t *ret_y, double *ret_fx, double *ret_fy) {
        int r;
        if (is_float(a) || is_float(b)) {
                r = eval_force_float(st, a, pos, ret_fx);
                if (r < 0)
                        return r;
                r = eval_force_float(st, b, pos, ret_fy);
                return r < 0 ? r : NUM_FLOAT;
        }
        r = eval_force_int(st, a, pos, ret_x);
        if (r < 0)
                return r;
        r = eval_force_int(st, b, pos, ret_y);
        return r < 0 ? r : NUM_INT;
}

static int both_ints(EvalState *st, Value *a, Value *b, const Pos *pos, int64_t *ret_x, int64_t *ret_y) {
        int r = eval_force_int(st, a, pos, ret_x);
        if (r < 0)
                return r;
        return eval_force_int(st, b, pos, ret_y);
}

int arith_add(EvalState *st, Value *a, Value *b, const Pos *pos, Value *ret) {
        int64_t x, y, z;
        double fx, fy;
        int k = numbers(st, a, b, pos, &x, &y, &fx, &fy);
        if (k < 0)
                return k;
        if (k == NUM_FLOAT) {
                value_set_float(ret, fx + fy);
                return 0;
        }
        if (__builtin_add_overflow(x, y, &z))
                return eval_error(st, EVAL_ERROR_OVERFLOW, pos, "integer overflow in adding %lld + %lld",
                                  (long long) x, (long long) y);
        value_set_int(ret, z);
        return 0;
}

int arith_sub(EvalState *st, Value *a, Value *b, const Pos *pos, Value *ret) {
        int64_t x, y, z;
        double fx, fy;
        int k = numbers(st, a, b, pos, &x, &y, &fx, &fy);
        if (k < 0)
                return k;
        if (k == NUM_FLOAT) {
                value_set_float(ret, fx - fy);
                return 0;
        }
        if (__builtin_sub_overflow(x, y, &z))
                return eval_error(st, EVAL_ERROR_OVERFLOW, pos, "integer overflow in subtracting %lld - %lld",
                                  (long long) x, (long long) y);
        value_set_int(ret, z);
        return 0;
}

int arith_mul(EvalState *st, Value *a, Value *b, const Pos *pos, Value *ret) {
        int64_t x, y, z;
        double fx, fy;
        int k = numbers(st, a, b, pos, &x, &y, &fx, &fy);
        if (k < 0)
                return k;
        if (k == NUM_FLOAT) {
                value_set_float(ret, fx * fy);
                return 0;
        }
        if (__builtin_mul_overflow(x, y, &z))
                return eval_error(st, EVAL_ERROR_OVERFLOW, pos, "integer overflow in multiplying %lld * %lld",
                                  (long long) x, (long long) y);
        value_set_int(ret, z);
        return 0;
}

int arith_div(EvalState *st, Value *a, Value *b, const Pos *pos, Value *ret) {
        /* Nix checks the divisor (as a float) before anything else. */
        double divisor;
        int r = eval_force_float(st, b, pos, &divisor);
        if (r < 0)
                return r;
        if (divisor == 0)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "division by zero");

        if (is_float(a) || is_float(b)) {
                double x;
                r = eval_force_float(st, a, pos, &x);
                if (r < 0)
                        return r;
                value_set_float(ret, x / divisor);
                return 0;
        }
        int64_t x, y;
        r = both_ints(st, a, b, pos, &x, &y);
        if (r < 0)
                return r;
        if (x == INT64_MIN && y == -1)
                return eval_error(st, EVAL_ERROR_OVERFLOW, pos, "overflow in integer division");
        value_set_int(ret, x / y);
        return 0;
}

int64_t arith_float_to_int(double d) {
        /* [-2^63, 2^63) converts exactly; the rest is what cvttsd2si gives. */
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
                return INT64_MIN;
        return (int64_t) d;
}

typedef int (*ArithFn)(EvalState *st, Value *a, Value *b, const Pos *pos, Value *ret);

static int arith_primop(ArithFn fn, EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force(st, args[0], pos);
        if (r < 0)
                return r;
        r = eval_force(st, args[1], pos);
        if (r < 0)
                return r;
        return fn(st, args[0], args[1], pos, ret);
}

static int prim_add(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return arith_primop(arith_add, st, pos, args, ret);
}

static int prim_sub(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return arith_primop(arith_sub, st, pos, args, ret);
}

static int prim_mul(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return arith_primop(arith_mul, st, pos, args, ret);
}

static int prim_div(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return arith_primop(arith_div, st, pos, args, ret);
}

static int prim_lessThan(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force(st, args[0], pos);
        if (r < 0)
                return r;
        r = eval_force(st, args[1], pos);
        if (r < 0)
                return r;
        /* Nix reports "cannot compare" (and forces list elements) without
         * a position. */
        bool lt;
        r = eval_less_than(st, args[0], args[1], NULL, &lt);
        if (r < 0)
                return r;
        value_set_bool(ret, lt);
        return 0;
}

typedef enum BitOp {
        BIT_AND,
        BIT_OR,
        BIT_XOR,
} BitOp;

static int bit_primop(BitOp op, EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int64_t x, y;
        int r = both_ints(st, args[0], args[1], pos, &x, &y);
        if (r < 0)
                return r;
        value_set_int(ret, op == BIT_AND ? (x & y) : op == BIT_OR ? (x | y) : (x ^ y));
        return 0;
}

static int prim_bitAnd(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return bit_primop(BIT_AND, st, pos, args, ret);
}

static int prim_bitOr(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return bit_primop(BIT_OR, st, pos, args, ret);
}

static int prim_bitXor(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        return bit_primop(BIT_XOR, st, pos, args, ret);
}

static int prim_ceil(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        double d;
        int r = eval_force_float(st, args[0], pos, &d);
        if (r < 0)
                return r;
        value_set_int(ret, arith_float_to_int(ceil(d)));
        return 0;
}

static int prim_floor(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        double d;
        int r = eval_force_float(st, args[0], pos, &d);
        if (r < 0)
                return r;
        value_set_int(ret, arith_float_to_int(floor(d)));
        return 0;
}

const PrimOp builtins_math[] = {
        { .name = "add", .arity = 2, .args = { "e1", "e2" },
          .doc = "Return the sum of the numbers e1 and e2.", .fn = prim_add },
        { .name = "sub", .arity = 2, .args = { "e1", "e2" },
          .doc = "Return the difference between the numbers e1 and e2.", .fn = prim_sub },
        { .name = "mul", .arity = 2, .args = { "e1", "e2" },
          .doc = "Return the product of the numbers e1 and e2.", .fn = prim_mul },
        { .name = "div", .arity = 2, .args = { "e1", "e2" },
          .doc = "Return the quotient of the numbers e1 and e2.", .fn = prim_div },
        { .name = "lessThan", .arity = 2, .args = { "e1", "e2" },
          .doc = "Return true if e1 is less than e2 (numbers, strings, paths or lists).", .fn = prim_lessThan },
        { .name = "bitAnd", .arity = 2, .args = { "e1", "e2" },
          .doc = "Return the bitwise AND of the integers e1 and e2.", .fn = prim_bitAnd },
        { .name = "bitOr", .arity = 2, .args = { "e1", "e2" },
          .doc = "Return the bitwise OR of the integers e1 and e2.", .fn = prim_bitOr },
        { .name = "bitXor", .arity = 2, .args = { "e1", "e2" },
          .doc = "Return the bitwise XOR of the integers e1 and e2.", .fn = prim_bitXor },
        { .name = "ceil", .arity = 1, .args = { "double" },
          .doc = "Round the number double up to the next integer.", .fn = prim_ceil },
        { .name = "floor", .arity = 1, .args = { "double" },
          .doc = "Round the number double down to the next integer.", .fn = prim_floor },
        { .name = NULL },
};
