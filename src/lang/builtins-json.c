/* JSON: toJSON and fromJSON (the conversions themselves are in value-json.c). */
#include "eval.h"
#include "gc-alloc.h"
#include "value-json.h"

static int prim_toJSON(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_strbuf_ StrBuf out = STRBUF_INIT;
        ContextBuilder cb = {};
        int r;

        r = value_to_json(st, args[0], pos, &cb, &out);
        if (r < 0)
                return r;
        value_set_string_copy(ret, out.buf, out.len, context_finish(&cb));
        return 0;
}

static int prim_fromJSON(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        const char *s;
        int r;

        r = eval_force_string_no_context(st, args[0], pos, &s);
        if (r < 0)
                return r;
        r = value_from_json(st, s, pos, ret);
        if (r < 0)
                return eval_error_add_frame(st, pos, "while decoding a JSON string");
        return 0;
}

const PrimOp builtins_json[] = {
        {
                .name = "toJSON",
                .arity = 1,
                .args = { "e" },
                .doc = "Return a string containing a JSON representation of e (derivations and paths become strings).",
                .fn = prim_toJSON,
        },
        {
                .name = "fromJSON",
                .arity = 1,
                .args = { "e" },
                .doc = "Convert a JSON string to a Nix value.",
                .fn = prim_fromJSON,
        },
        { .name = NULL },
};
