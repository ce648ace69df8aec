/* Where packages come from: the seam between firn and a package archive.
 * One interface, "list packages" (an index) and "fetch one" (a .deb), so
 * a backend that reads a mirror directly (for hosts without apt) can join
 * the apt one later.
 *
 * The apt backend lists what apt already fetched and verified (index.h,
 * apt's lists) and fetches with apt's own client, `apt-get download
 * NAME=VERSION` in a temporary directory, so the host's sources, proxies
 * and keys apply; a copy of the exact file in apt's cache
 * (/var/cache/apt/archives) is used instead when there is one, and so is
 * one in $FIRN_DEB_CACHE_DIR, where every download is also kept (test
 * suites share one so each .deb is downloaded once). The program run is
 * $FIRN_APT_GET when set (tests put a fake apt there; then apt's cache is
 * not used). */
#pragma once

#include "index.h"

typedef struct DebFetchRequest {
        const char *name, *version, *architecture;
        const char *filename;           /* Filename in the archive (pool/…) */
        const char *dest;               /* the file to create (must not exist) */
        int log_fd;                     /* apt's output and progress; -1: none */
} DebFetchRequest;

typedef struct DebSource {
        const char *name;
        /* An index of every package the source offers. */
        int (*list)(const struct DebSource *src, DebIndex **ret, char **ret_error);
        /* Creates req->dest holding the .deb (its hash is the caller's to
         * check). Returns 0, or a negative errno with *ret_error naming the
         * package and the reason; dest does not exist then. */
        int (*fetch)(const struct DebSource *src, const DebFetchRequest *req, char **ret_error);
        const char *lists_dir;          /* apt: NULL for apt's own */
} DebSource;

/* The apt backend over lists_dir (NULL: apt's default). */
DebSource deb_source_apt(const char *lists_dir);
