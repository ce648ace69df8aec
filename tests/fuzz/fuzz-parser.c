/* libFuzzer target: the Nix parser and variable binder on arbitrary bytes.
 * Any input must give an expression or a parse error, never a crash, a hang
 * or unbounded recursion. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eval.h"
#include "ast-arena.h"
#include "gc-alloc.h"

static EvalState *state;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (!state) {
                gc_setup();
                EvalOptions opts = { 0 };
                state = eval_state_new(&opts);
        }
        /* Syntax trees live in an arena that normal runs never free; the
         * fuzzer drops each input's tree so memory stays flat. */
        AstArenaMark mark = ast_arena_mark();
        char *text = gc_alloc_atomic(size + 1);
        memcpy(text, data, size);
        text[size] = 0;
        Expr *e;
        if (eval_parse_string(state, text, strlen(text), POS_STRING, NULL, "/fuzz", &e) < 0)
                eval_state_clear_error(state);
        ast_arena_release(mark);
        return 0;
}
