#include "base32.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

static const char nix_base32_chars[32] = "0123456789abcdfghijklmnpqrsvwxyz";

bool nix_base32_is_char(char c) {
        return c && memchr(nix_base32_chars, c, sizeof(nix_base32_chars)) != NULL;
}

/* Maps a character to its digit, or -1. */
static int nix_base32_digit(char c) {
        const char *p;

        if (c == '\0')
                return -1;
        p = memchr(nix_base32_chars, c, sizeof(nix_base32_chars));
        return p ? (int) (p - nix_base32_chars) : -1;
}

size_t nix_base32_encoded_len(size_t n) {
        /* ceil(n * 8 / 5), without overflowing n * 8. */
        return n / 5 * 8 + ((n % 5) * 8 + 4) / 5;
}

void nix_base32_encode(const uint8_t *data, size_t len, char *out) {
        size_t nchars = nix_base32_encoded_len(len);
        char *p = out;

        assert(data || len == 0);
        assert(out);

        /* Character k (counted from the end of the string) holds bits
         * 5k … 5k+4 of the input read as a little-endian number, so the
         * string starts with the most significant group. */
        for (size_t k = nchars; k-- > 0;) {
                size_t b = k * 5, i = b / 8;
                unsigned j = b % 8;
                unsigned c = (unsigned) data[i] >> j;

                if (i + 1 < len)
                        c |= (unsigned) data[i + 1] << (8 - j);
                *p++ = nix_base32_chars[c & 0x1f];
        }
        *p = '\0';
}

int nix_base32_decode(const char *s, size_t slen, uint8_t *out, size_t outlen) {
        assert(s || slen == 0);
        assert(out || outlen == 0);

        if (slen != nix_base32_encoded_len(outlen))
                return -EINVAL;

        /* First pass: validate, so that out is written only on success. The
         * top character may carry bits beyond the last byte; they must be 0. */
        for (size_t k = 0; k < slen; k++) {
                int d = nix_base32_digit(s[slen - k - 1]);
                size_t b = k * 5, i = b / 8;
                unsigned j = b % 8;

                if (d < 0)
                        return -EINVAL;
                if (i + 1 >= outlen && ((unsigned) d >> (8 - j)) != 0)
                        return -EINVAL;
        }

        if (outlen > 0)
                memset(out, 0, outlen);
        for (size_t k = 0; k < slen; k++) {
                unsigned d = (unsigned) nix_base32_digit(s[slen - k - 1]);
                size_t b = k * 5, i = b / 8;
                unsigned j = b % 8;

                out[i] |= (uint8_t) (d << j);
                if (i + 1 < outlen)
                        out[i + 1] |= (uint8_t) (d >> (8 - j));
        }

        return 0;
}
