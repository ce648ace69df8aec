/* Unpacking a binary package (.deb, deb(5)) into a tree the store can hold:
 * the files of `dpkg-deb -x`, with modes canonicalised, and a record of
 * what the store cannot hold.
 *
 * The .deb is an ar archive: "debian-binary" (a version starting "2."),
 * then "control.tar[.gz|.xz|.zst]", then "data.tar[.gz|.xz|.zst|.bz2|.lzma]"
 * (each tar also uncompressed); members whose names start with '_' may come
 * between them and are ignored, as dpkg ignores them; anything after
 * data.tar is not read. The compression follows the member's name, as in
 * dpkg; every compressed stream is read to its end, so its checksum is
 * verified.
 *
 * data.tar becomes the tree under out_dir, as `dpkg-deb -x` would make it:
 *   - every member name, with leading "./", empty and "." components
 *     dropped ("./usr/bin/" is usr/bin); the member "./" itself is out_dir;
 *   - directories mode 0755; regular files with their contents, mode 0755
 *     when any execute bit was set, else 0644; symlinks with their targets
 *     as written; hard links (tar link entries) as hard links to the
 *     file they name, which must be a regular file already in out_dir
 *     (an earlier member);
 *   - owned by whoever runs this; modification times are not kept;
 *   - character and block devices and FIFOs are recorded (below), not made.
 * Refused (an error): an absolute name or hard-link target, a ".."
 * component, a name deeper than DEB_UNPACK_DEPTH_MAX components, a member
 * under "nix-support/" (where the record goes), a member whose parent in
 * out_dir is a symlink or not a directory (nothing is ever created through
 * a symlink: see below), and a member other than a directory whose name
 * already exists in out_dir, whether from this .deb or an earlier one
 * unpacked there (two directories of one name are fine). A parent
 * directory missing from data.tar is made, mode 0755.
 *
 * control.tar's files (control, md5sums, conffiles, maintainer scripts,
 * shlibs, symbols, triggers, …) go, mode 0644, to
 *
 *   out_dir/nix-support/deb/PACKAGE/
 *
 * where PACKAGE is the Package field of control.tar's "control" (required;
 * letters, digits and "+-._", starting with a letter or digit). control.tar
 * may hold only regular files at its top level (and the "./" directory),
 * DEB_UNPACK_CONTROL_FILES_MAX files and DEB_UNPACK_CONTROL_MAX bytes of
 * them at most. A PACKAGE directory that
 * already exists is an error (one package unpacked twice into out_dir).
 *
 * Beside them, "permissions" records every data.tar member the tree does
 * not show as it was: one line per member whose mode differs from its
 * canonical mode above (setuid, setgid, sticky, 0700, 0440, …), or whose
 * owner or group is not root (uid or gid other than 0, or a name other
 * than "root"), and every device and FIFO. Lines are sorted by path
 * (bytewise), each ending in '\n':
 *
 *   MODE USER GROUP PATH                   a directory, file, symlink or
 *                                          hard link
 *   c MODE USER GROUP MAJOR MINOR PATH     a character device
 *   b MODE USER GROUP MAJOR MINOR PATH     a block device
 *   p MODE USER GROUP PATH                 a FIFO
 *
 * e.g. "4755 root root /usr/bin/passwd", "2755 root shadow /usr/bin/chage",
 * "0440 root root /etc/sudoers", "c 0666 root root 1 3 /dev/null".
 * MODE is the member's permission bits, four octal digits; USER and GROUP
 * its owner and group names from the tar header (the decimal uid or gid
 * when the header has no name); PATH is absolute ("/" for the "./"
 * member). In USER, GROUP and PATH, a byte below 0x21, a DEL, a byte above
 * 0x7e and a backslash are written as a backslash and three octal digits
 * ("\040" for a space), so fields never hold blanks or newlines. The file
 * is absent when there is nothing to record. (Its name is taken: a
 * control.tar member named "permissions" is an error.)
 *
 * Symlinks are never followed: every directory is opened one component at
 * a time from out_dir with O_NOFOLLOW, so whatever data.tar holds, nothing
 * is written outside out_dir. Files are not fsynced (the caller syncs the
 * finished tree, e.g. with sync_tree()).
 *
 * Errors: a negative errno, with *ret_error (may be NULL) set to a
 * malloc'ed message "DEB_PATH: reason" the caller frees:
 *   -EBADMSG   not an ar archive, a corrupt or truncated archive or stream,
 *              a member missing or out of order, a bad control file, an
 *              unsafe member name, a member of an unknown type;
 *   -EPROTONOSUPPORT  debian-binary not "2.x", an unknown compression;
 *   -EEXIST    a name already in out_dir (shipped twice), the package
 *              already unpacked there;
 *   -E2BIG     a bound above exceeded;
 *   -ENOMEM, or the errno of a failed system call (reading the .deb,
 *              writing out_dir).
 * On failure out_dir may hold part of the package (and of nix-support/):
 * the caller removes out_dir (rm_rf()) and starts again. */
#pragma once

#include <stdint.h>

/* Deepest member name, in components. */
#define DEB_UNPACK_DEPTH_MAX 256
/* Largest control.tar, in bytes of its files and in files. */
#define DEB_UNPACK_CONTROL_MAX ((uint64_t) 64 << 20)
#define DEB_UNPACK_CONTROL_FILES_MAX 4096
/* Most bytes a decompressed tar member may have after the tar's end
 * (padding to a record; dpkg-deb's tar pads to 10240 bytes). */
#define DEB_UNPACK_TRAILER_MAX ((uint64_t) 64 << 20)

/* Unpacks the .deb at deb_path into out_dir (made, with missing parents,
 * when missing; it may already hold other packages' trees: several .debs
 * can be unpacked into one directory). Returns 0, or a negative errno and
 * a message (see above). */
int deb_unpack(const char *deb_path, const char *out_dir, char **ret_error);
