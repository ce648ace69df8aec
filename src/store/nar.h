/* NAR ("Nix ARchive") serialisation of a file system object, as Nix 2.8
 * writes it (nix-store --dump).
 *
 * Every token is a string: its length as a little-endian u64, its bytes,
 * zero padding to a multiple of 8.
 *
 *     nar   = "nix-archive-1" node
 *     node  = "(" "type" body ")"
 *     body  = "regular" ["executable" ""] "contents" BYTES
 *           | "symlink" "target" TARGET
 *           | "directory" { "entry" "(" "name" NAME "node" node ")" }
 *
 * Directory entries come sorted by name, bytewise. Only the owner-execute
 * bit of a regular file is recorded; times, owners and other mode bits are
 * not. Other file types (fifos, sockets, devices) cannot be archived.
 *
 * The dump streams: file contents go through one fixed buffer (no file is
 * held in memory), and the sink sees large chunks. Memory grows only with
 * the number of entries of the directories on the current path. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "hash.h"

/* Receives the NAR bytes, in order. Returns >= 0 to go on, or a negative
 * errno to stop the dump, which then returns that value. */
typedef int (*NarSink)(void *userdata, const void *data, size_t len);

/* Directory nesting deeper than this fails with -ELOOP (Nix itself stops
 * at PATH_MAX, i.e. about 2048 levels). */
#define NAR_MAX_DEPTH 2048

/* Writes the NAR of path to sink. path is relative to dirfd (or absolute, or
 * dirfd is AT_FDCWD); a symlink at path itself is archived as a symlink, not
 * followed. Returns 0, or a negative errno: from the file system (then, if
 * ret_error is non-NULL, *ret_error is a malloc'ed message in Nix's words,
 * e.g. "getting status of 'PATH/x': No such file or directory", naming the
 * object as path "/" entry names), -ELOOP for nesting deeper than
 * NAR_MAX_DEPTH, -EBADFD for a file type a NAR cannot hold ("file '…' has
 * an unsupported type"), -EIO when a file shrinks while it is read, or the
 * sink's own error (no message then). *ret_error is written only on
 * failure. */
int nar_dump_path(int dirfd, const char *path, NarSink sink, void *userdata, char **ret_error);

/* Decides whether a directory entry goes into the archive (Nix's
 * PathFilter): path is the entry's name as in messages (the dumped path "/"
 * entry names), st its lstat status. Returns > 0 to archive it, 0 to leave
 * it (and everything under it) out, or a negative value to stop the dump,
 * which then returns that value (no message). Called once per entry, in
 * sorted order, just before the entry is written; never for the top. */
typedef int (*NarFilter)(void *userdata, const char *path, const struct stat *st);

/* nar_dump_path() with a filter (NULL: everything). */
int nar_dump_path_filtered(int dirfd, const char *path, NarFilter filter, void *filter_userdata, NarSink sink,
                           void *userdata, char **ret_error);

/* The hash (algo; Nix's narHash is sha256) of the NAR of path and the NAR's
 * size in bytes, without writing the NAR anywhere. ret_size may be NULL.
 * Returns and fails like nar_dump_path(); ret_hash and ret_size are set
 * only on success. */
int nar_hash_path(int dirfd, const char *path, HashAlgo algo, Hash *ret_hash, uint64_t *ret_size,
                  char **ret_error);
/* nar_hash_path() with a filter, as nar_dump_path_filtered(). */
int nar_hash_path_filtered(int dirfd, const char *path, NarFilter filter, void *filter_userdata, HashAlgo algo,
                           Hash *ret_hash, uint64_t *ret_size, char **ret_error);
