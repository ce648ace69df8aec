/* Cryptographic hashes (OpenSSL libcrypto) and their textual forms, as Nix
 * writes them: base16 (lowercase hex), Nix base32, base64, and SRI
 * ("sha256-<base64>"). */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef enum HashAlgo {
        HASH_MD5,
        HASH_SHA1,
        HASH_SHA256,
        HASH_SHA512,
        _HASH_ALGO_MAX,
} HashAlgo;

#define HASH_MAX_SIZE 64

typedef struct Hash {
        HashAlgo algo;
        uint8_t bytes[HASH_MAX_SIZE];
} Hash;

typedef enum HashFormat {
        HASH_FORMAT_BASE16,
        HASH_FORMAT_BASE32,
        HASH_FORMAT_BASE64,
        HASH_FORMAT_SRI,
} HashFormat;

/* "md5", "sha1", "sha256", "sha512". Returns 0, or -EINVAL for other names. */
int hash_algo_from_string(const char *name, HashAlgo *ret);
const char *hash_algo_to_string(HashAlgo algo);
/* Digest size in bytes (16, 20, 32, 64). */
size_t hash_algo_size(HashAlgo algo);

void hash_buffer(HashAlgo algo, const void *data, size_t len, Hash *ret);

/* Hashes the file at path (relative to dirfd, or AT_FDCWD) by streaming it.
 * Returns 0, or a negative errno from open/read. */
int hash_file(HashAlgo algo, int dirfd, const char *path, Hash *ret);

/* Incremental hashing. hash_ctx_new returns NULL only on allocation failure. */
typedef struct HashCtx HashCtx;
HashCtx *hash_ctx_new(HashAlgo algo);
void hash_ctx_update(HashCtx *ctx, const void *data, size_t len);
/* Writes the digest and frees ctx. */
void hash_ctx_finish(HashCtx *ctx, Hash *ret);
HashCtx *hash_ctx_free(HashCtx *ctx);

/* Returns a malloc'ed string in the given format. SRI is "<algo>-<base64>";
 * the others carry no algorithm prefix. */
char *hash_to_string(const Hash *h, HashFormat fmt);

/* Parses a hash as Nix accepts it: SRI ("sha256-…"), "<algo>:<digest>", or a
 * bare digest in base16, Nix base32 or base64 (told apart by length) when
 * algo is given. algo may be NULL only when s names its algorithm; when both
 * are given they must agree. Returns 0, or -EINVAL. */
int hash_from_string(const char *s, const HashAlgo *algo, Hash *ret);
