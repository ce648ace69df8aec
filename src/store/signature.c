#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "signature.h"
#include "strbuf.h"
#include "xalloc.h"

static void set_error(char **ret_error, char *msg) {
        if (ret_error)
                *ret_error = msg;
        else
                free(msg);
}

/* ---- base64 (RFC 4648, standard alphabet, '=' padding) ------------------ */

static const char base64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const uint8_t *data, size_t len) {
        StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; i < len; i += 3) {
                uint32_t v = (uint32_t) data[i] << 16;
                if (i + 1 < len)
                        v |= (uint32_t) data[i + 1] << 8;
                if (i + 2 < len)
                        v |= data[i + 2];
                strbuf_addc(&sb, base64_chars[(v >> 18) & 63]);
                strbuf_addc(&sb, base64_chars[(v >> 12) & 63]);
                strbuf_addc(&sb, i + 1 < len ? base64_chars[(v >> 6) & 63] : '=');
                strbuf_addc(&sb, i + 2 < len ? base64_chars[v & 63] : '=');
        }
        return strbuf_detach(&sb, NULL);
}

static int base64_digit(char c) {
        const char *p = c ? strchr(base64_chars, c) : NULL;
        return p ? (int) (p - base64_chars) : -1;
}

/* Decodes s[0..slen) into exactly outlen bytes. The text must be the
 * canonical, padded encoding of outlen bytes. */
static int base64_decode_exact(const char *s, size_t slen, uint8_t *out, size_t outlen) {
        if (slen != (outlen + 2) / 3 * 4)
                return -EINVAL;
        size_t nchars = (outlen * 4 + 2) / 3;
        for (size_t k = nchars; k < slen; k++)
                if (s[k] != '=')
                        return -EINVAL;
        uint32_t acc = 0;
        unsigned bits = 0;
        size_t o = 0;
        for (size_t k = 0; k < nchars; k++) {
                int d = base64_digit(s[k]);
                if (d < 0)
                        return -EINVAL;
                acc = (acc << 6) | (uint32_t) d;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (uint8_t) (acc >> bits);
                }
                acc &= (1u << bits) - 1;
        }
        return acc == 0 && o == outlen ? 0 : -EINVAL;
}

/* ---- NAME:BASE64 ------------------------------------------------------- */

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Splits "NAME:BASE64" (trailing white space ignored) and decodes the key
 * bytes. Returns 0 or -EINVAL with *ret_reason a static string. */
static int split_key(const char *text, char **ret_name, uint8_t *out, size_t outlen, const char **ret_reason) {
        size_t len = strlen(text);
        while (len > 0 && is_space(text[len - 1]))
                len--;
        const char *colon = memchr(text, ':', len);
        if (!colon) {
                *ret_reason = "no ':' between the name and the key";
                return -EINVAL;
        }
        size_t name_len = (size_t) (colon - text);
        if (name_len == 0) {
                *ret_reason = "empty name";
                return -EINVAL;
        }
        for (size_t i = 0; i < name_len; i++)
                if (is_space(text[i])) {
                        *ret_reason = "white space in the name";
                        return -EINVAL;
                }
        if (base64_decode_exact(colon + 1, len - name_len - 1, out, outlen) < 0) {
                *ret_reason = outlen == ED25519_SECRET_SIZE ? "not the base64 of 64 bytes"
                                                            : "not the base64 of 32 bytes";
                return -EINVAL;
        }
        *ret_name = xstrndup(text, name_len);
        return 0;
}

/* ---- OpenSSL ----------------------------------------------------------- */

static inline void pkey_freep(EVP_PKEY **p) {
        EVP_PKEY_free(*p);
}
static inline void md_ctx_freep(EVP_MD_CTX **p) {
        EVP_MD_CTX_free(*p);
}

static int public_from_seed(const uint8_t *seed, uint8_t *ret_public) {
        _cleanup_(pkey_freep) EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
                                                                            ED25519_SEED_SIZE);
        size_t n = ED25519_PUBLIC_SIZE;
        if (!pkey || EVP_PKEY_get_raw_public_key(pkey, ret_public, &n) != 1 || n != ED25519_PUBLIC_SIZE)
                return -EIO;
        return 0;
}

/* ---- secret keys ------------------------------------------------------- */

int secret_key_parse(const char *text, SecretKey **ret, char **ret_error) {
        SecretKey *key = xcalloc(1, sizeof(*key));
        const char *reason = NULL;
        int r = split_key(text, &key->name, key->key, sizeof(key->key), &reason);
        if (r < 0) {
                secret_key_free(key);
                set_error(ret_error, xasprintf("secret key is corrupt: %s", reason));
                return r;
        }
        uint8_t pub[ED25519_PUBLIC_SIZE];
        if (public_from_seed(key->key, pub) < 0 ||
            memcmp(pub, key->key + ED25519_SEED_SIZE, ED25519_PUBLIC_SIZE) != 0) {
                set_error(ret_error, xasprintf("secret key '%s' is corrupt: its public half does not match its seed",
                                                  key->name));
                secret_key_free(key);
                return -EINVAL;
        }
        *ret = key;
        return 0;
}

static bool key_name_ok(const char *name) {
        if (!*name)
                return false;
        for (const char *p = name; *p; p++)
                if (*p == ':' || is_space(*p))
                        return false;
        return true;
}

int secret_key_generate(const char *name, SecretKey **ret, char **ret_error) {
        if (!key_name_ok(name)) {
                set_error(ret_error, xasprintf("invalid key name '%s' (it must be non-empty, without ':' "
                                                  "or white space)", name));
                return -EINVAL;
        }
        SecretKey *key = xcalloc(1, sizeof(*key));
        if (RAND_bytes(key->key, ED25519_SEED_SIZE) != 1 ||
            public_from_seed(key->key, key->key + ED25519_SEED_SIZE) < 0) {
                secret_key_free(key);
                set_error(ret_error, xasprintf("generating a key: OpenSSL failed"));
                return -EIO;
        }
        key->name = xstrdup(name);
        *ret = key;
        return 0;
}

SecretKey *secret_key_free(SecretKey *key) {
        if (!key)
                return NULL;
        free(key->name);
        OPENSSL_cleanse(key->key, sizeof(key->key));
        free(key);
        return NULL;
}

char *secret_key_format(const SecretKey *key) {
        _cleanup_free_ char *b64 = base64_encode(key->key, sizeof(key->key));
        return xasprintf("%s:%s", key->name, b64);
}

void secret_key_to_public(const SecretKey *key, PublicKey *ret) {
        ret->name = xstrdup(key->name);
        memcpy(ret->key, key->key + ED25519_SEED_SIZE, ED25519_PUBLIC_SIZE);
}

char *secret_key_sign(const SecretKey *key, const void *data, size_t len) {
        _cleanup_(pkey_freep) EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, key->key,
                                                                            ED25519_SEED_SIZE);
        _cleanup_(md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        uint8_t sig[ED25519_SIGNATURE_SIZE];
        size_t n = sizeof(sig);
        if (!pkey || !ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) != 1 ||
            EVP_DigestSign(ctx, sig, &n, data, len) != 1 || n != sizeof(sig))
                return NULL;
        _cleanup_free_ char *b64 = base64_encode(sig, sizeof(sig));
        return xasprintf("%s:%s", key->name, b64);
}

/* ---- public keys ------------------------------------------------------- */

int public_key_parse(const char *text, PublicKey *ret, char **ret_error) {
        PublicKey key = {};
        const char *reason = NULL;
        int r = split_key(text, &key.name, key.key, sizeof(key.key), &reason);
        if (r < 0) {
                set_error(ret_error, xasprintf("public key '%s' is corrupt: %s", text, reason));
                return r;
        }
        *ret = key;
        return 0;
}

char *public_key_format(const PublicKey *key) {
        _cleanup_free_ char *b64 = base64_encode(key->key, sizeof(key->key));
        return xasprintf("%s:%s", key->name, b64);
}

void public_key_done(PublicKey *key) {
        free(key->name);
        key->name = NULL;
}

int public_key_verify(const PublicKey *key, const char *sig, const void *data, size_t len) {
        const char *colon = strchr(sig, ':');
        if (!colon || (size_t) (colon - sig) != strlen(key->name) || memcmp(sig, key->name, colon - sig) != 0)
                return 0;
        uint8_t raw[ED25519_SIGNATURE_SIZE];
        if (base64_decode_exact(colon + 1, strlen(colon + 1), raw, sizeof(raw)) < 0)
                return 0;
        _cleanup_(pkey_freep) EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key->key,
                                                                           sizeof(key->key));
        _cleanup_(md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!pkey || !ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1)
                return 0;
        return EVP_DigestVerify(ctx, raw, sizeof(raw), data, len) == 1;
}

/* ---- trusted key sets ---------------------------------------------------- */

TrustedKeys *trusted_keys_new(void) {
        return xcalloc(1, sizeof(TrustedKeys));
}

TrustedKeys *trusted_keys_free(TrustedKeys *keys) {
        if (!keys)
                return NULL;
        for (size_t i = 0; i < keys->n; i++)
                public_key_done(&keys->keys[i]);
        free(keys->keys);
        free(keys);
        return NULL;
}

const PublicKey *trusted_keys_find(const TrustedKeys *keys, const char *name, size_t name_len) {
        for (size_t i = 0; keys && i < keys->n; i++)
                if (strlen(keys->keys[i].name) == name_len && memcmp(keys->keys[i].name, name, name_len) == 0)
                        return &keys->keys[i];
        return NULL;
}

int trusted_keys_add_list(TrustedKeys *keys, const char *list, char **ret_error) {
        const char *p = list;
        for (;;) {
                while (*p && is_space(*p))
                        p++;
                if (!*p)
                        return 0;
                const char *end = p;
                while (*end && !is_space(*end))
                        end++;
                _cleanup_free_ char *word = xstrndup(p, (size_t) (end - p));
                PublicKey key;
                int r = public_key_parse(word, &key, ret_error);
                if (r < 0)
                        return r;
                PublicKey *old = (PublicKey *) trusted_keys_find(keys, key.name, strlen(key.name));
                if (old) {
                        public_key_done(old);
                        *old = key;
                } else {
                        keys->keys = xrealloc(keys->keys, (keys->n + 1) * sizeof(PublicKey));
                        keys->keys[keys->n++] = key;
                }
                p = end;
        }
}

SignatureCheck trusted_keys_check(const TrustedKeys *keys, const char *sig, const void *data, size_t len) {
        const char *colon = strchr(sig, ':');
        if (!colon)
                return SIGNATURE_UNTRUSTED;
        const PublicKey *key = trusted_keys_find(keys, sig, (size_t) (colon - sig));
        if (!key)
                return SIGNATURE_UNTRUSTED;
        return public_key_verify(key, sig, data, len) ? SIGNATURE_VALID : SIGNATURE_INVALID;
}
