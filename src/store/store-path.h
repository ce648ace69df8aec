/* Store path computation, exactly as Nix 2.8 does it.
 *
 * A store path is STOREDIR "/" HASH "-" NAME where HASH is 32 characters of
 * Nix base32: the sha256 of a fingerprint
 *
 *     TYPE ":" ALGO ":" HEX(INNER) ":" STOREDIR ":" NAME
 *
 * folded to 20 bytes by XOR (Nix's compressHash). TYPE and INNER depend on
 * how the path came about:
 *
 *     text (builtins.toFile, .drv)   "text" + ":" REF per reference;
 *                                    INNER = sha256 of the contents
 *     source (recursive sha256)      "source" + ":" REF per reference
 *                                    (+ ":self"); INNER = sha256 of the NAR
 *     other fixed outputs            "output:out"; INNER = sha256 of
 *                                    "fixed:out:" ["r:"] ALGO ":" HEX ":"
 *     derivation outputs             "output:" OUTNAME; INNER =
 *                                    hashDerivationModulo (computed elsewhere)
 *
 * References are full store paths; callers pass them sorted (bytewise), as
 * Nix's sets are. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

#define STORE_DIR_DEFAULT "/nix/store"
/* Bytes of the folded hash and its length in Nix base32. */
#define STORE_PATH_HASH_SIZE 20
#define STORE_PATH_HASH_CHARS 32
/* Longest valid name: 211 bytes (Nix 2.8). */
#define STORE_PATH_NAME_MAX 211

/* How a fixed-output path's contents were hashed: the file's bytes (flat) or
 * the NAR serialisation of the file system object (recursive). */
typedef enum FileIngestion {
        FILE_INGESTION_FLAT,
        FILE_INGESTION_RECURSIVE,
} FileIngestion;

typedef enum StoreNameCheck {
        STORE_NAME_VALID = 0,
        STORE_NAME_EMPTY,
        STORE_NAME_TOO_LONG,
        STORE_NAME_BAD_CHAR,
} StoreNameCheck;

/* Checks a store path name against Nix 2.8's rules: 1 to 211 bytes, each one
 * of [A-Za-z0-9+-._?=]. A leading '.' or '-' is accepted (2.8 does; newer
 * Nix rejects a leading '.'). For STORE_NAME_BAD_CHAR, *ret_bad_index (if
 * non-NULL) is the offset of the first bad byte. */
StoreNameCheck store_name_check(const char *name, size_t *ret_bad_index);

/* Nix's message for a bad name, given the would-be base name HASH-NAME
 * (e.g. "store path '…-a b' contains illegal character ' '"). Returns a
 * malloc'ed string, or NULL if the name is valid. */
char *store_name_error(const char *base_name, const char *name);

/* XOR-folds h's digest into out[size] (Nix's compressHash: byte i of the
 * digest goes into out[i % size]). */
void store_hash_compress(const Hash *h, uint8_t *out, size_t size);

/* The fingerprint TYPE:ALGO:HEX(inner):STOREDIR:NAME, malloc'ed. */
char *store_path_fingerprint(const char *type, const Hash *inner, const char *name, const char *store_dir);

/* Computes the store path for (type, inner, name) in store_dir
 * (STORE_DIR_DEFAULT when NULL). Returns 0 and a malloc'ed path in
 * *ret_path; or -EINVAL when name is not a valid store path name, and then,
 * if ret_error is non-NULL, a malloc'ed message worded as Nix 2.8's in
 * *ret_error (the caller frees it; it is written only then). */
int store_path_make(const char *type, const Hash *inner, const char *name, const char *store_dir,
                    char **ret_path, char **ret_error);

/* TYPE with the references appended: type ":" ref ... [":self"]. refs are
 * full store paths, sorted; n_refs may be 0. Returns a malloc'ed string. */
char *store_path_make_type(const char *type, const char *const *refs, size_t n_refs, bool self_ref);

/* A text path (builtins.toFile, .drv files): content_hash is the sha256 of
 * the contents (-EINVAL without a message for another algorithm); refs as
 * above. Otherwise returns and fails like store_path_make(). */
int store_path_make_text(const char *name, const Hash *content_hash, const char *const *refs, size_t n_refs,
                         const char *store_dir, char **ret_path, char **ret_error);

/* A fixed-output path: with recursive ingestion and sha256, a "source" path
 * (refs and self_ref allowed, INNER = the NAR hash itself); otherwise an
 * "output:out" path over "fixed:out:" ["r:"] ALGO ":" HEX ":" (refs must be
 * empty and self_ref false, else -EINVAL without a message). Otherwise
 * returns and fails like store_path_make(). */
int store_path_make_fixed_output(FileIngestion method, const Hash *hash, const char *name,
                                 const char *const *refs, size_t n_refs, bool self_ref,
                                 const char *store_dir, char **ret_path, char **ret_error);
