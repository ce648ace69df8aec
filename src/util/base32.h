/* Nix's base32: alphabet "0123456789abcdfghijklmnpqrsvwxyz" (no e, o, u, t),
 * bytes read from the last towards the first, as in store path hashes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether c is one of the 32 characters. */
bool nix_base32_is_char(char c);

/* Characters needed for n bytes: ceil(n * 8 / 5). */
size_t nix_base32_encoded_len(size_t n);

/* Writes nix_base32_encoded_len(len) characters and a NUL to out. */
void nix_base32_encode(const uint8_t *data, size_t len, char *out);

/* Decodes s (exactly slen characters) into out (outlen bytes, where
 * nix_base32_encoded_len(outlen) == slen). Returns 0, or -EINVAL on a bad
 * character, a wrong length or stray high bits. */
int nix_base32_decode(const char *s, size_t slen, uint8_t *out, size_t outlen);
