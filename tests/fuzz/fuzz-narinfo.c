/* libFuzzer target: the narinfo parser on arbitrary bytes. Any input must
 * give a NarInfo or an error with a message, never a crash; a parsed
 * narinfo must format to text that parses again to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "narinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        NarInfo *info = NULL;
        char *error = NULL;
        if (narinfo_parse((const char *) data, size, "/nix/store", "fuzz", &info, &error) < 0) {
                if (!error)
                        abort(); /* every failure names its reason */
                free(error);
                return 0;
        }
        char *text = narinfo_format(info);
        NarInfo *again = NULL;
        char *error2 = NULL;
        if (narinfo_parse(text, strlen(text), "/nix/store", "fuzz", &again, &error2) < 0)
                abort();
        char *text2 = narinfo_format(again);
        if (strcmp(text, text2) != 0)
                abort();
        free(text);
        free(text2);
        narinfo_free(info);
        narinfo_free(again);
        return 0;
}
