/* XML: toXML (the conversion itself is in value-xml.c). */
#include "eval.h"
#include "value-xml.h"

static int prim_toXML(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        _cleanup_strbuf_ StrBuf out = STRBUF_INIT;
        ContextBuilder cb = {};
        int r;

        r = value_to_xml(st, args[0], pos, true, false, &cb, &out);
        if (r < 0)
                return r;
        value_set_string_copy(ret, out.buf, out.len, context_finish(&cb));
        return 0;
}

const PrimOp builtins_xml[] = {
        {
                .name = "toXML",
                .arity = 1,
                .args = { "e" },
                .doc = "Return a string containing an XML representation of e.",
                .fn = prim_toXML,
        },
        { .name = NULL },
};
