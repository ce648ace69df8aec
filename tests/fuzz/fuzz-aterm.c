/* libFuzzer target: the .drv (ATerm) parser on arbitrary bytes. Any input
 * must give a derivation or an error with a message, never a crash; a
 * derivation must print back to text that parses to the same text, unless
 * a field Nix writes unescaped (names, paths, hashes, platform) holds a '"'
 * or '\' (Nix's format cannot round-trip those either). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "derivation.h"

static bool raw_ok(const char *s) {
        return !strpbrk(s, "\"\\");
}

static bool round_trips(const Derivation *drv) {
        if (!raw_ok(drv->platform))
                return false;
        for (size_t i = 0; i < drv->n_outputs; i++) {
                const DrvOutput *o = &drv->outputs[i];

                if (!raw_ok(o->name) || !raw_ok(o->path) || !raw_ok(o->hash_algo) || !raw_ok(o->hash))
                        return false;
        }
        for (size_t i = 0; i < drv->n_inputs; i++) {
                if (!raw_ok(drv->inputs[i].path))
                        return false;
                for (size_t k = 0; k < drv->inputs[i].n_outputs; k++)
                        if (!raw_ok(drv->inputs[i].outputs[k]))
                                return false;
        }
        for (size_t i = 0; i < drv->n_srcs; i++)
                if (!raw_ok(drv->srcs[i]))
                        return false;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Derivation *drv = NULL, *again = NULL;
        StrBuf out = STRBUF_INIT, out2 = STRBUF_INIT;
        char *err = NULL;

        if (drv_parse((const char *) data, size, "fuzz", &drv, &err) < 0) {
                if (!err)
                        abort();
                free(err);
                return 0;
        }
        if (round_trips(drv)) {
                drv_unparse(drv, false, NULL, 0, &out);
                if (drv_parse(out.buf, out.len, "fuzz", &again, NULL) < 0)
                        abort();
                drv_unparse(again, false, NULL, 0, &out2);
                if (out.len != out2.len || memcmp(out.buf, out2.buf, out.len) != 0)
                        abort();
        }
        strbuf_release(&out);
        strbuf_release(&out2);
        drv_free(drv);
        drv_free(again);
        return 0;
}
