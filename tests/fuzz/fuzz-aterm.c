/* libFuzzer target: the .drv (ATerm) parser on arbitrary bytes. Any input
 * must give a derivation or an error with a message, never a crash; a
 * derivation must print back to text that parses to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "derivation.h"

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
        drv_unparse(drv, false, NULL, 0, &out);
        if (drv_parse(out.buf, out.len, "fuzz", &again, NULL) < 0)
                abort();
        drv_unparse(again, false, NULL, 0, &out2);
        if (out.len != out2.len || memcmp(out.buf, out2.buf, out.len) != 0)
                abort();
        strbuf_release(&out);
        strbuf_release(&out2);
        drv_free(drv);
        drv_free(again);
        return 0;
}
