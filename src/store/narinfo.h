/* narinfo files: what a binary cache says about one store path, exactly as
 * Nix 2.8 reads and writes them.
 *
 *     StorePath: /nix/store/HASH-NAME
 *     URL: nar/FILEHASH.nar.xz           where the (compressed) NAR is, relative to the cache
 *     Compression: xz                    none|xz|bzip2|gzip|zstd; absent means bzip2
 *     FileHash: sha256:NIX32             of the compressed file (optional)
 *     FileSize: 248                      its size (optional)
 *     NarHash: sha256:NIX32              of the NAR itself
 *     NarSize: 272
 *     References: HASH-NAME HASH-NAME    base names, sorted; "References: " when none
 *     Deriver: HASH-NAME.drv             (optional)
 *     System: x86_64-linux               (optional; Nix 2.8 reads it, nix copy never writes it)
 *     Sig: KEYNAME:BASE64                (any number, sorted)
 *     CA: text:sha256:… | fixed:[r:]ALGO:…   (optional)
 *
 * One "Key: Value" per line, every line ends in '\n'; unknown keys are
 * ignored, a field that may appear once may not appear twice. Writing
 * uses the order above, which is Nix's, so a narinfo Nix wrote comes back
 * byte for byte.
 *
 * The signed bytes (the fingerprint) are
 *
 *     "1;" STOREPATH ";" "sha256:" NIX32(NARHASH) ";" NARSIZE ";" REF "," REF …
 *
 * with the references as full store paths, sorted, comma-joined. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "signature.h"

/* A narinfo file larger than this is refused. */
#define NARINFO_MAX_SIZE (4u << 20)

typedef struct NarInfo {
        char *path;         /* StorePath: the full logical store path */
        char *url;          /* relative to the cache (or absolute) */
        char *compression;  /* never NULL: "bzip2" when the file has no Compression line */
        bool has_file_hash;
        Hash file_hash;
        uint64_t file_size; /* 0 when absent */
        Hash nar_hash;      /* sha256 */
        uint64_t nar_size;  /* > 0 */
        char **references;  /* base names HASH-NAME, sorted and unique (a strv, NULL when none) */
        char *deriver;      /* base name, or NULL */
        char *system;       /* or NULL */
        char **sigs;        /* "KEYNAME:BASE64", sorted and unique (a strv, NULL when none) */
        char *ca;           /* or NULL */
} NarInfo;

NarInfo *narinfo_new(void);
NarInfo *narinfo_free(NarInfo *info);
static inline void narinfo_freep(NarInfo **p) {
        narinfo_free(*p);
}
#define _cleanup_narinfo_free_ __attribute__((cleanup(narinfo_freep)))

/* Parses len bytes of narinfo text. store_dir is the store directory the
 * paths must be in ("/nix/store"); whence names the file in messages.
 * Requires StorePath, URL, NarHash (sha256) and a NarSize above 0, as Nix
 * does; checks that every path, reference and deriver is a valid store path
 * (name) and that hashes and numbers parse. Returns 0 and a new NarInfo, or
 * -EBADMSG with "NAR info file 'WHENCE' is corrupt: REASON". */
int narinfo_parse(const char *text, size_t len, const char *store_dir, const char *whence, NarInfo **ret,
                  char **ret_error);

/* The narinfo text of info (malloc'ed), in Nix's order. FileHash and
 * FileSize lines are written when known. */
char *narinfo_format(const NarInfo *info);

/* The fingerprint of a path's metadata (see above): refs are full store
 * paths, sorted (may be NULL). Returns a malloc'ed string. */
char *path_fingerprint(const char *path, const Hash *nar_hash, uint64_t nar_size, char *const *refs);

/* The fingerprint of info, its references made full paths in store_dir. */
char *narinfo_fingerprint(const NarInfo *info, const char *store_dir);

/* Adds a signature of info's fingerprint by key (replacing any earlier one
 * by the same key name, keeping sigs sorted). Returns 0 or -EIO. */
int narinfo_sign(NarInfo *info, const SecretKey *key, const char *store_dir);

/* Adds sig to info->sigs unless it is there (keeps them sorted). */
void narinfo_add_sig(NarInfo *info, const char *sig);

/* Checks that at least one signature of info is a valid signature of its
 * fingerprint by a key in keys. Returns 0, or -EKEYREJECTED with a message
 * naming the path and the keys: unsigned ("path '…' is not signed; trusted
 * keys: …"), signed only by other keys ("path '…' is signed by 'a', 'b',
 * none of them trusted; trusted keys: …"), or with a signature that names
 * a trusted key but does not verify ("path '…' has an invalid signature by
 * trusted key 'k'", which is what a tampered field gives). */
int narinfo_check_sigs(const NarInfo *info, const TrustedKeys *keys, const char *store_dir, char **ret_error);

/* Whether s (len bytes) is a store path base name: 32 Nix base32
 * characters, '-', and a valid name. */
bool store_base_name_valid(const char *s, size_t len);
