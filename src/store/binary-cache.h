/* Binary caches: a directory of narinfo files and compressed NARs at a URL,
 * as Nix 2.8 reads and writes them (`nix copy --to/--from`, substituters).
 *
 *     URL/nix-cache-info          "StoreDir: /nix/store\n" [WantMassQuery: 1\n] [Priority: N\n]
 *     URL/HASHPART.narinfo        one per path (narinfo.h)
 *     URL/nar/FILEHASH.nar.xz     the NAR, compressed; named by the nix32
 *                                 sha256 of the compressed file (".nar" and
 *                                 FileHash = NarHash without compression)
 *
 * URLs: "file:///ABSOLUTE/DIR" (read and write) and "http://…", "https://…"
 * (read, through libcurl). A query string sets parameters as Nix's store
 * URLs do: "?compression=none", "?secret-key=FILE" (the caller reads
 * them with binary_cache_param).
 *
 * Reading decompresses with libarchive (raw format, the filter the
 * narinfo's Compression names: xz, zstd, bzip2, gzip; "none" is read as it
 * is). Writing compresses the same way (xz by default, or none or zstd).
 *
 * Errors: negative errno with a malloc'ed message naming the URL:
 * -ENOENT for a file the cache does not have (HTTP 404/410, or no such
 * file), -EIO for other transfer failures ("unable to download 'URL': HTTP
 * error 500"), -EBADMSG for malformed cache files. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "narinfo.h"
#include "signature.h"
#include "store-db.h"
#include "store.h"

typedef struct BinaryCache BinaryCache;

/* Parses url (see above). Nothing is read or created yet. Returns 0, or
 * -EINVAL with a message for an unsupported or malformed URL. */
int binary_cache_open(const char *url, BinaryCache **ret, char **ret_error);
BinaryCache *binary_cache_free(BinaryCache *cache);
static inline void binary_cache_freep(BinaryCache **c) {
        binary_cache_free(*c);
}
#define _cleanup_binary_cache_free_ __attribute__((cleanup(binary_cache_freep)))

/* The URL without its query string and trailing '/'. */
const char *binary_cache_url(const BinaryCache *cache);
/* The value of query parameter name, or NULL. */
const char *binary_cache_param(const BinaryCache *cache, const char *name);

/* What nix-cache-info says. */
typedef struct BinaryCacheInfo {
        char *store_dir;      /* never NULL after a successful read */
        bool want_mass_query;
        int priority;         /* 50 when not given */
} BinaryCacheInfo;

/* Reads nix-cache-info (once; later calls return the same) and checks that
 * the cache is for store_dir. Fails with -ENOENT ("'URL' does not appear to
 * be a binary cache") without it, -EINVAL when StoreDir differs.
 * ret_info may be NULL; it points into the cache. */
int binary_cache_read_info(BinaryCache *cache, const char *store_dir, const BinaryCacheInfo **ret_info,
                           char **ret_error);

/* Fetches the file name (relative to the cache, e.g. "nix-cache-info") into
 * a malloc'ed NUL-terminated buffer; larger than max_size fails with
 * -EFBIG. */
int binary_cache_get_file(BinaryCache *cache, const char *name, size_t max_size, char **ret_data, size_t *ret_len,
                          char **ret_error);

/* Fetches and parses the narinfos of n store paths at once (HTTP: over
 * parallel connections). ret_infos (n entries) gets each NarInfo, or NULL
 * for a path the cache does not have. Fails on the first other error (a
 * transfer error or a corrupt narinfo); then no entry is set. The narinfos
 * are not checked against the paths asked for: the caller does that. */
int binary_cache_get_narinfos(BinaryCache *cache, const char *store_dir, char *const *paths, size_t n,
                              NarInfo **ret_infos, char **ret_error);

/* --- reading a NAR --------------------------------------------------- */

/* The decompressed NAR of a narinfo, as a stream. The reader fails once
 * more than info->nar_size bytes come out (-EFBIG), so a hostile cache
 * cannot fill the disk. */
typedef struct NarReader NarReader;

/* Starts reading the NAR info->url names. Fails with -EOPNOTSUPP for a
 * compression this build cannot read. */
int nar_reader_open(BinaryCache *cache, const NarInfo *info, NarReader **ret, char **ret_error);
/* Fills up to len bytes of buf: the count, 0 at the end, or a negative
 * errno (then nar_reader_error says why). The signature is nar-restore.h's
 * NarSource. */
ssize_t nar_reader_read(void *reader, void *buf, size_t len);
/* The message of the reader's first failure, or NULL. */
const char *nar_reader_error(const NarReader *reader);
NarReader *nar_reader_free(NarReader *reader);
static inline void nar_reader_freep(NarReader **r) {
        nar_reader_free(*r);
}
#define _cleanup_nar_reader_free_ __attribute__((cleanup(nar_reader_freep)))

/* --- writing (file:// caches) ----------------------------------------- */

typedef struct CacheWriteOptions {
        const char *compression;   /* "xz" (NULL means xz), "zstd", "bzip2", "gzip" or "none" */
        const SecretKey *sign_key; /* NULL: no new signature (existing ones are kept) */
} CacheWriteOptions;

/* Whether the cache has a narinfo for path: 1, 0, or a negative errno. */
int binary_cache_has(BinaryCache *cache, const char *store_dir, const char *path, char **ret_error);

/* Writes the closure of paths (valid paths of store) to the cache: for each
 * path the cache does not have yet, references first, its NAR (dumped from
 * the store, checked against the registered NAR hash, compressed, synced,
 * renamed into nar/) and then its narinfo (written atomically, with the
 * path's signatures and, with sign_key, a new one). Creates the directory
 * and nix-cache-info ("StoreDir", "WantMassQuery: 1", "Priority: 50") when
 * missing; fails with -EINVAL when an existing nix-cache-info is for
 * another store directory. *ret_copied (may be NULL) gets the paths
 * written, in order. Only file:// caches can be written (-EOPNOTSUPP). */
int binary_cache_copy_closure_to(BinaryCache *cache, Store *store, char *const *paths,
                                 const CacheWriteOptions *opts, char ***ret_copied, char **ret_error);

/* --- progress ---------------------------------------------------------- */

typedef enum BinaryCacheEventKind {
        BINARY_CACHE_NAR_QUEUED,   /* a NAR will be fetched (its sizes are known) */
        BINARY_CACHE_NAR_STARTED,  /* its transfer began */
        BINARY_CACHE_NAR_PROGRESS, /* bytes came in (at most every 100 ms per NAR) */
        BINARY_CACHE_NAR_DONE,     /* fetched, unpacked and checked */
        BINARY_CACHE_NAR_FAILED,   /* its fetch failed (or was cancelled) */
} BinaryCacheEventKind;

typedef struct BinaryCacheEvent {
        BinaryCacheEventKind kind;
        const char *path;     /* the store path */
        const char *url;      /* the cache's URL (binary_cache_url) */
        uint64_t file_size;   /* the narinfo's FileSize: compressed bytes, 0 when unknown */
        uint64_t nar_size;    /* the narinfo's NarSize */
        uint64_t bytes;       /* compressed bytes received so far (DONE: all of them) */
        uint64_t usec;        /* microseconds since STARTED (0 before) */
} BinaryCacheEvent;

/* Called for each event of an import (store_import_paths_from_cache),
 * from whichever thread fetches the NAR; calls are serialised, never
 * concurrent. The strings live for the call only. */
typedef void (*BinaryCacheProgressFn)(void *userdata, const BinaryCacheEvent *event);

/* Sets (or with fn NULL, clears) the progress callback of cache. */
void binary_cache_set_progress(BinaryCache *cache, BinaryCacheProgressFn fn, void *userdata);

/* --- importing into a store ------------------------------------------- */

/* Imports path and its closure from cache into store. keys are the trusted
 * public keys; NULL turns signature checks off (--no-check-sigs).
 *
 * Steps: the narinfos of the closure are fetched (HTTP: over one libcurl
 * multi handle, each reference requested as soon as the narinfo naming it
 * arrives; paths valid in store end the walk), each checked to describe the
 * path asked for and, with keys, to carry a valid signature by one of them
 * (-EKEYREJECTED otherwise, naming the path and the keys). Each path that
 * passes is handed at once to NAR_JOBS fetcher threads, so NARs stream in
 * (through decompression into nar_restore(), under temporary names in the
 * store) while the walk goes on; each NAR's hash and size must match its
 * narinfo (and a content-addressed path's contents its CA); then everything
 * is installed and registered at once (store_install_restored: synced,
 * renamed, one transaction). On any failure nothing new is valid and no
 * temporary object is left. Paths already valid are fine. */
int store_import_from_cache(Store *store, BinaryCache *cache, const char *path, const TrustedKeys *keys,
                            char **ret_error);

/* The same for several paths (their closures are imported as one, all or
 * nothing). *ret_imported (may be NULL) gets the paths that were not valid
 * before, references first. */
int store_import_paths_from_cache(Store *store, BinaryCache *cache, char *const *paths, const TrustedKeys *keys,
                                  char ***ret_imported, char **ret_error);
