/* NAR restore (nix-store --restore): the file system object a NAR
 * describes, written under a new path; and the same parse without writing,
 * to validate a NAR.
 *
 * The grammar is nar.h's, taken strictly: the only NAR accepted for a tree
 * is the one nar_dump_path() writes for it, so the NAR of a restored tree is
 * byte for byte the input (same narHash, same narSize). Every size read from
 * the input is bounded, nesting is bounded by NAR_MAX_DEPTH, and file
 * contents stream through one fixed buffer (no file is held in memory).
 *
 * Errors (negative errno, with a malloc'ed message):
 *   -EBADMSG       the input is not a well-formed NAR: wrong magic, a token
 *                  other than the grammar's, nonzero padding, a string token
 *                  longer than NAR_MAX_TOKEN (file contents aside), an entry
 *                  name that is empty, ".", "..", holds '/' or NUL, entry
 *                  names not in strictly increasing bytewise order (so no
 *                  duplicates), a symlink target that is empty or holds NUL,
 *                  bytes after the root node, or input that ends early
 *   -ENAMETOOLONG  an entry name longer than NAR_MAX_NAME bytes, or a
 *                  symlink target longer than NAR_MAX_TARGET bytes
 *   -EFBIG         file contents longer than NAR_MAX_FILE_SIZE ("absurd")
 *                  or than NarRestoreOptions.max_file_size
 *   -ELOOP         directories nested deeper than NAR_MAX_DEPTH (the limit
 *                  nar_dump_path() has: its deepest NAR restores)
 * Format errors read "<problem>", plus ", in '/a/b'" naming the node inside
 * the NAR when it is not the root, e.g. "NAR entry names are not sorted:
 * 'b' after 'c', in '/lib'"; names, tokens and that place are quoted with
 * bytes that do not print (and ' and \) as \xNN, cut short ("...") after
 * 64 bytes (the place: 1024).
 *
 * nar_restore() also fails with the file system's errno, its message naming
 * path "/" entry names ("creating directory 'PATH/lib': No space left on
 * device"): -EEXIST when path exists, -EMFILE when the nesting needs more
 * descriptors than allowed (one stays open per directory level); or with
 * the source's ("reading the NAR: …"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hash.h"
#include "nar.h"

/* Limits beyond which a NAR is refused (see the errors above). */
#define NAR_MAX_TOKEN 4096                  /* bytes of any string but file contents */
#define NAR_MAX_NAME 255                    /* bytes of an entry name (NAME_MAX) */
#define NAR_MAX_TARGET 4095                 /* bytes of a symlink target (PATH_MAX - 1) */
#define NAR_MAX_FILE_SIZE (UINT64_C(1) << 40) /* bytes of one file's contents */

/* Supplies NAR bytes: fills up to len bytes of buf, returns the count
 * (0 = end of input) or a negative errno, which stops the restore (-EINTR
 * is retried). The NAR is the whole input: bytes after it are an error, so
 * a NAR embedded in a longer stream needs a source that ends where the NAR
 * does. */
typedef ssize_t (*NarSource)(void *userdata, void *buf, size_t len);

typedef struct NarRestoreOptions {
        bool sync;              /* fsync each file and directory written, and path's parent (fileio.h fd_sync) */
        uint64_t max_file_size; /* 0: no limit but NAR_MAX_FILE_SIZE */
} NarRestoreOptions;

/* Restores the NAR read from source at path, relative to dirfd (or absolute,
 * or dirfd is AT_FDCWD); path must not exist, its parent must. The root node
 * may be a regular file, a symlink or a directory.
 *
 * Regular files get mode 0644, or 0755 when executable; directories 0755
 * (whatever the umask; the store canonicalises later); symlinks are
 * created as they are, never followed. Everything under path is created
 * relative to its directory's fd with O_EXCL / O_NOFOLLOW semantics, so a
 * hostile NAR cannot write outside path. Each write and fsync passes
 * fileio.h's helpers and each mkdir and symlink a failure point (fault.h).
 * opts may be NULL (no sync, no size limit beyond the sanity one).
 *
 * Returns 0, with *ret_sha256 (may be NULL) the SHA-256 of the NAR bytes
 * read and *ret_nar_size (may be NULL) their number; these equal
 * nar_hash_path() of the result. On failure returns a negative errno (see
 * above) and, if ret_error is non-NULL, a malloc'ed message in *ret_error;
 * whatever it created at path is removed again (rm_rf), so nothing is left
 * there, and *ret_sha256 and *ret_nar_size are not written. */
int nar_restore(int dirfd, const char *path, NarSource source, void *userdata, const NarRestoreOptions *opts,
                Hash *ret_sha256, uint64_t *ret_nar_size, char **ret_error);

/* Checks the NAR of len bytes at data as nar_restore() would, with default
 * options, writing nothing: returns 0, or the format error (code and
 * message) nar_restore() gives for it. */
int nar_validate(const void *data, size_t len, char **ret_error);
