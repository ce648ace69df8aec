#include "hash.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base32.h"
#include "cleanup.h"
#include "xalloc.h"

struct HashCtx {
        HashAlgo algo;
        EVP_MD_CTX *md;
};

static const struct {
        const char *name;
        size_t size;
} hash_algos[_HASH_ALGO_MAX] = {
        [HASH_MD5] = { "md5", 16 },
        [HASH_SHA1] = { "sha1", 20 },
        [HASH_SHA256] = { "sha256", 32 },
        [HASH_SHA512] = { "sha512", 64 },
};

static bool hash_algo_valid(HashAlgo algo) {
        return (unsigned) algo < _HASH_ALGO_MAX;
}

int hash_algo_from_string(const char *name, HashAlgo *ret) {
        assert(name);
        assert(ret);

        for (HashAlgo a = 0; a < _HASH_ALGO_MAX; a++)
                if (strcmp(name, hash_algos[a].name) == 0) {
                        *ret = a;
                        return 0;
                }
        return -EINVAL;
}

/* Like hash_algo_from_string(), for the first len bytes of name. */
static int hash_algo_from_prefix(const char *name, size_t len, HashAlgo *ret) {
        for (HashAlgo a = 0; a < _HASH_ALGO_MAX; a++)
                if (strlen(hash_algos[a].name) == len && memcmp(name, hash_algos[a].name, len) == 0) {
                        *ret = a;
                        return 0;
                }
        return -EINVAL;
}

const char *hash_algo_to_string(HashAlgo algo) {
        assert(hash_algo_valid(algo));
        return hash_algos[algo].name;
}

size_t hash_algo_size(HashAlgo algo) {
        assert(hash_algo_valid(algo));
        return hash_algos[algo].size;
}

static const EVP_MD *hash_algo_md(HashAlgo algo) {
        switch (algo) {
        case HASH_MD5:
                return EVP_md5();
        case HASH_SHA1:
                return EVP_sha1();
        case HASH_SHA256:
                return EVP_sha256();
        case HASH_SHA512:
                return EVP_sha512();
        default:
                assert(!"bad HashAlgo");
                abort();
        }
}

/* libcrypto only fails these digests on allocation failure (or with the
 * algorithm disabled by policy, e.g. MD5 under FIPS), which the void API has
 * no way to report: treat both as fatal, like xmalloc(). */
static void check_evp(int ok) {
        if (_unlikely_(ok != 1))
                abort();
}

void hash_buffer(HashAlgo algo, const void *data, size_t len, Hash *ret) {
        Hash h = { .algo = algo };
        unsigned size = 0;

        assert(data || len == 0);
        assert(ret);

        check_evp(EVP_Digest(data, len, h.bytes, &size, hash_algo_md(algo), NULL));
        assert(size == hash_algo_size(algo));
        *ret = h;
}

HashCtx *hash_ctx_new(HashAlgo algo) {
        HashCtx *ctx;

        assert(hash_algo_valid(algo));

        ctx = malloc(sizeof(*ctx));
        if (!ctx)
                return NULL;
        *ctx = (HashCtx) { .algo = algo, .md = EVP_MD_CTX_new() };
        if (!ctx->md || EVP_DigestInit_ex(ctx->md, hash_algo_md(algo), NULL) != 1)
                return hash_ctx_free(ctx);
        return ctx;
}

void hash_ctx_update(HashCtx *ctx, const void *data, size_t len) {
        assert(ctx);
        assert(data || len == 0);

        if (len > 0)
                check_evp(EVP_DigestUpdate(ctx->md, data, len));
}

void hash_ctx_finish(HashCtx *ctx, Hash *ret) {
        Hash h;
        unsigned size = 0;

        assert(ctx);
        assert(ret);

        h = (Hash) { .algo = ctx->algo };
        check_evp(EVP_DigestFinal_ex(ctx->md, h.bytes, &size));
        assert(size == hash_algo_size(ctx->algo));
        hash_ctx_free(ctx);
        *ret = h;
}

HashCtx *hash_ctx_free(HashCtx *ctx) {
        if (!ctx)
                return NULL;
        EVP_MD_CTX_free(ctx->md);
        free(ctx);
        return NULL;
}

static inline void hash_ctx_freep(HashCtx **ctx) {
        hash_ctx_free(*ctx);
}

int hash_file(HashAlgo algo, int dirfd, const char *path, Hash *ret) {
        enum { BUFFER_SIZE = 64 * 1024 };
        _cleanup_(hash_ctx_freep) HashCtx *ctx = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        _cleanup_close_ int fd = -EBADF;

        assert(path);
        assert(ret);

        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;

        buf = malloc(BUFFER_SIZE);
        ctx = hash_ctx_new(algo);
        if (!buf || !ctx)
                return -ENOMEM;

        for (;;) {
                ssize_t n = read(fd, buf, BUFFER_SIZE);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                hash_ctx_update(ctx, buf, (size_t) n);
        }

        hash_ctx_finish(TAKE_PTR(ctx), ret);
        return 0;
}

/* Base64 with the standard alphabet and '=' padding (RFC 4648 §4), as Nix
 * writes it. */

static size_t base64_encoded_len(size_t n) {
        return (n + 2) / 3 * 4;
}

static int base64_digit(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

/* Decodes exactly outlen bytes from s[0..slen). The text must be canonical:
 * padded to a multiple of 4 with '=' (or, with allow_unpadded, also without
 * any padding), and the unused low bits of the last character zero. */
static int base64_decode(const char *s, size_t slen, bool allow_unpadded, uint8_t *out, size_t outlen) {
        size_t nchars = (outlen * 4 + 2) / 3; /* significant characters */
        uint8_t buf[HASH_MAX_SIZE];
        uint32_t acc = 0;
        unsigned bits = 0;
        size_t o = 0;

        assert(outlen <= sizeof(buf));

        if (slen == base64_encoded_len(outlen)) {
                for (size_t k = nchars; k < slen; k++)
                        if (s[k] != '=')
                                return -EINVAL;
        } else if (!(allow_unpadded && slen == nchars))
                return -EINVAL;

        for (size_t k = 0; k < nchars; k++) {
                int d = base64_digit(s[k]);

                if (d < 0)
                        return -EINVAL;
                acc = (acc << 6) | (uint32_t) d;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        buf[o++] = (uint8_t) (acc >> bits);
                }
                acc &= (1u << bits) - 1;
        }
        if (acc != 0) /* stray bits in the last character */
                return -EINVAL;

        assert(o == outlen);
        memcpy(out, buf, outlen);
        return 0;
}

static int base16_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Decodes exactly 2 * outlen hex digits (either case, as Nix accepts). */
static int base16_decode(const char *s, uint8_t *out, size_t outlen) {
        uint8_t buf[HASH_MAX_SIZE];

        assert(outlen <= sizeof(buf));

        for (size_t i = 0; i < outlen; i++) {
                int hi = base16_digit(s[2 * i]), lo = base16_digit(s[2 * i + 1]);

                if (hi < 0 || lo < 0)
                        return -EINVAL;
                buf[i] = (uint8_t) (hi << 4 | lo);
        }
        memcpy(out, buf, outlen);
        return 0;
}

char *hash_to_string(const Hash *h, HashFormat fmt) {
        static const char hex[] = "0123456789abcdef";
        size_t size, prefix = 0;
        char *s;

        assert(h);
        size = hash_algo_size(h->algo);

        switch (fmt) {
        case HASH_FORMAT_BASE16:
                s = xmalloc(size * 2 + 1);
                for (size_t i = 0; i < size; i++) {
                        s[2 * i] = hex[h->bytes[i] >> 4];
                        s[2 * i + 1] = hex[h->bytes[i] & 0xf];
                }
                s[size * 2] = '\0';
                return s;

        case HASH_FORMAT_BASE32:
                s = xmalloc(nix_base32_encoded_len(size) + 1);
                nix_base32_encode(h->bytes, size, s);
                return s;

        case HASH_FORMAT_SRI:
                prefix = strlen(hash_algo_to_string(h->algo)) + 1;
                __attribute__((fallthrough));
        case HASH_FORMAT_BASE64:
                s = xmalloc(prefix + base64_encoded_len(size) + 1);
                if (prefix > 0) {
                        memcpy(s, hash_algo_to_string(h->algo), prefix - 1);
                        s[prefix - 1] = '-';
                }
                /* Writes the padded text and a NUL. */
                EVP_EncodeBlock((unsigned char *) s + prefix, h->bytes, (int) size);
                return s;
        }

        assert(!"bad HashFormat");
        abort();
}

int hash_from_string(const char *s, const HashAlgo *algo, Hash *ret) {
        const char *rest = s, *sep;
        bool sri = false, have_algo = false;
        HashAlgo a = 0;
        size_t size, len;
        Hash h;
        int r;

        assert(s);
        assert(ret);

        /* "<algo>:<digest>", else SRI "<algo>-<base64>" (Nix looks for ':'
         * first; neither occurs in a bare digest). */
        sep = strchr(s, ':');
        if (!sep) {
                sep = strchr(s, '-');
                sri = sep != NULL;
        }
        if (sep) {
                r = hash_algo_from_prefix(s, (size_t) (sep - s), &a);
                if (r < 0)
                        return r;
                if (algo && *algo != a)
                        return -EINVAL;
                have_algo = true;
                rest = sep + 1;
        } else if (algo) {
                if (!hash_algo_valid(*algo))
                        return -EINVAL;
                a = *algo;
                have_algo = true;
        }
        if (!have_algo)
                return -EINVAL;

        h = (Hash) { .algo = a };
        size = hash_algo_size(a);
        len = strlen(rest);

        if (sri)
                r = base64_decode(rest, len, /* allow_unpadded= */ true, h.bytes, size);
        else if (len == 2 * size)
                r = base16_decode(rest, h.bytes, size);
        else if (len == nix_base32_encoded_len(size))
                r = nix_base32_decode(rest, len, h.bytes, size);
        else if (len == base64_encoded_len(size))
                r = base64_decode(rest, len, /* allow_unpadded= */ false, h.bytes, size);
        else
                r = -EINVAL;
        if (r < 0)
                return r;

        *ret = h;
        return 0;
}
