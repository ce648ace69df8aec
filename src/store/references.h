/* The references scanner: which of a set of candidate store paths a store
 * object refers to, as Nix 2.8 finds it after a build or an add.
 *
 * Each candidate is given by its hash part: the 32 Nix base32 characters of
 * STOREDIR "/" HASH "-" NAME. A candidate is referenced when its hash part
 * occurs anywhere in the scanned bytes, as a plain substring: also inside a
 * longer run of base32 characters, and overlapping other matches. Nix scans
 * the NAR serialisation of the object (nar.h), so file contents, symlink
 * targets and the names of directory entries all count; feed the NAR to the
 * scanner (ref_scanner_sink() is a NarSink) to get the same answer.
 *
 * The stream is fed in chunks of any size, down to one byte; matches that
 * straddle chunk boundaries are found. Feeding allocates nothing and the
 * scanner's memory is fixed at creation (proportional to the number of
 * candidates). Bytes that are not base32 characters are skipped 32 at a
 * time, so typical binary data scans at memory speed; only windows of 32
 * base32 characters are looked up, through a bit filter and a hash table.
 * Once every candidate has been found, feeding returns at once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"

typedef struct RefScanner RefScanner;

/* A scanner for n candidates: hash_parts[i] points to candidate i's 32-byte
 * hash part (no NUL needed; only the first 32 bytes are read, and copied,
 * so the caller may free them afterwards). The same hash part may be given
 * more than once; every copy is then found together. A hash part with a
 * byte outside the Nix base32 alphabet "0123456789abcdfghijklmnpqrsvwxyz"
 * can never match (Nix's scan only looks at base32 runs) and is never
 * found. n may be 0. Returns the scanner (free it with ref_scanner_free()),
 * or NULL when out of memory or when n is absurdly large (> 2^30). */
RefScanner *ref_scanner_new(const char *const *hash_parts, size_t n);

/* Frees s (NULL is accepted). Returns NULL. */
RefScanner *ref_scanner_free(RefScanner *s);

/* Scans the next len bytes of the stream (data may be NULL when len is 0). */
void ref_scanner_feed(RefScanner *s, const void *data, size_t len);

/* The same as a NarSink (nar.h): userdata is the RefScanner. Always
 * returns 0. */
int ref_scanner_sink(void *userdata, const void *data, size_t len);

/* Whether candidate i's hash part has occurred in the bytes fed so far;
 * false when i is out of range. */
bool ref_scanner_found(const RefScanner *s, size_t i);

/* How many candidates (counting repeated hash parts separately) have been
 * found so far. */
size_t ref_scanner_found_count(const RefScanner *s);

static inline void ref_scanner_freep(RefScanner **s) {
        ref_scanner_free(*s);
}
#define _cleanup_ref_scanner_free_ _cleanup_(ref_scanner_freep)
