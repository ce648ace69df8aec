/* ed25519 keys and signatures in Nix's text forms (OpenSSL libcrypto).
 *
 *     secret key   NAME ":" base64(64 bytes)   the 32-byte seed followed by
 *                                              the 32-byte public key
 *                                              (libsodium's layout, what
 *                                              nix-store --generate-binary-
 *                                              cache-key writes)
 *     public key   NAME ":" base64(32 bytes)
 *     signature    NAME ":" base64(64 bytes)   over some bytes, e.g. a
 *                                              narinfo fingerprint
 *                                              (narinfo.h)
 *
 * base64 is the standard alphabet with '=' padding. NAME is a key's name
 * (e.g. "cache.example.org-1"): at least one byte, no ':' and no white
 * space. Key files may end in white space (a newline), which is ignored;
 * nothing else around the key is. ed25519 signatures are deterministic, so
 * signing the same bytes with the same key gives what Nix gives, byte for
 * byte. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ED25519_SEED_SIZE 32
#define ED25519_SECRET_SIZE 64
#define ED25519_PUBLIC_SIZE 32
#define ED25519_SIGNATURE_SIZE 64

typedef struct SecretKey {
        char *name;
        uint8_t key[ED25519_SECRET_SIZE]; /* seed, then the public key */
} SecretKey;

typedef struct PublicKey {
        char *name;
        uint8_t key[ED25519_PUBLIC_SIZE];
} PublicKey;

/* A set of public keys that signatures are checked against (Nix's
 * trusted-public-keys). Keys are owned by the set. */
typedef struct TrustedKeys {
        size_t n;
        PublicKey *keys;
} TrustedKeys;

/* Parses a secret key ("NAME:BASE64", trailing white space ignored). The
 * public half must be the one the seed gives. Returns 0 and a malloc'ed key,
 * or -EINVAL with a message ("secret key is corrupt: …"). */
int secret_key_parse(const char *text, SecretKey **ret, char **ret_error);
/* A fresh key pair named name, from the system's random source. Returns 0,
 * -EINVAL (with a message) for a bad name, or -EIO when OpenSSL fails. */
int secret_key_generate(const char *name, SecretKey **ret, char **ret_error);
SecretKey *secret_key_free(SecretKey *key);
static inline void secret_key_freep(SecretKey **k) {
        secret_key_free(*k);
}
#define _cleanup_secret_key_free_ __attribute__((cleanup(secret_key_freep)))

/* "NAME:BASE64" of a secret key, malloc'ed, no newline. */
char *secret_key_format(const SecretKey *key);
/* The public half, as a key of its own (malloc'ed name). */
void secret_key_to_public(const SecretKey *key, PublicKey *ret);
/* Signs len bytes at data: returns "NAME:BASE64SIG", malloc'ed, or NULL
 * when OpenSSL fails. */
char *secret_key_sign(const SecretKey *key, const void *data, size_t len);

/* Parses a public key ("NAME:BASE64", trailing white space ignored) into
 * *ret (the caller frees ret->name with public_key_done). Returns 0 or
 * -EINVAL with a message ("public key '…' is corrupt: …"). */
int public_key_parse(const char *text, PublicKey *ret, char **ret_error);
/* "NAME:BASE64" of a public key, malloc'ed, no newline. */
char *public_key_format(const PublicKey *key);
void public_key_done(PublicKey *key);

/* Checks a signature "NAME:BASE64SIG" over data with key (whose name must
 * be NAME). Returns 1 when it is valid, 0 when it is not (another name,
 * malformed, or not made by this key over these bytes). */
int public_key_verify(const PublicKey *key, const char *sig, const void *data, size_t len);

/* --- trusted key sets ------------------------------------------------ */

TrustedKeys *trusted_keys_new(void);
TrustedKeys *trusted_keys_free(TrustedKeys *keys);
static inline void trusted_keys_freep(TrustedKeys **k) {
        trusted_keys_free(*k);
}
#define _cleanup_trusted_keys_free_ __attribute__((cleanup(trusted_keys_freep)))

/* Adds every key of a white-space separated list (as in nix.conf's
 * trusted-public-keys). A key whose name is already present replaces it
 * (Nix keeps one key per name). Returns 0 or -EINVAL with the first bad
 * key's message; keys before it stay added. */
int trusted_keys_add_list(TrustedKeys *keys, const char *list, char **ret_error);

/* The key named name (the part of length name_len), or NULL. */
const PublicKey *trusted_keys_find(const TrustedKeys *keys, const char *name, size_t name_len);

typedef enum SignatureCheck {
        SIGNATURE_VALID,    /* made by a trusted key over these bytes */
        SIGNATURE_UNTRUSTED, /* by a key that is not in the set (or malformed: no name) */
        SIGNATURE_INVALID,  /* names a trusted key but does not verify with it */
} SignatureCheck;

/* Checks one signature "NAME:BASE64SIG" against the set. */
SignatureCheck trusted_keys_check(const TrustedKeys *keys, const char *sig, const void *data, size_t len);
