#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "nar.h"
#include "store-db.h"
#include "store-verify.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

static void reportf(VerifyReport report, void *userdata, const char *path, const char *fmt, ...) _printf_(4, 5);
static void reportf(VerifyReport report, void *userdata, const char *path, const char *fmt, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        report(userdata, path, sb.buf);
        strbuf_release(&sb);
}

/* SQLite's own consistency check of the database file. */
static int check_database(Store *store, VerifyReport report, void *userdata) {
        sqlite3_stmt *st = NULL;
        int problems = 0;
        if (sqlite3_prepare_v2(store->db, "pragma integrity_check", -1, &st, NULL) != SQLITE_OK) {
                reportf(report, userdata, NULL, "database integrity check failed: %s", sqlite3_errmsg(store->db));
                return 1;
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *msg = (const char *) sqlite3_column_text(st, 0);
                if (msg && strcmp(msg, "ok") != 0) {
                        reportf(report, userdata, NULL, "database is corrupt: %s", msg);
                        problems++;
                }
        }
        sqlite3_finalize(st);
        return problems;
}

static int check_contents(Store *store, const PathInfo *info, const VerifyOptions *opts, VerifyReport report,
                          void *userdata) {
        _cleanup_free_ char *real = store_real_path(store, info->path);
        Hash h;
        uint64_t size;
        char *error = NULL;
        int r = nar_hash_path(AT_FDCWD, real, HASH_SHA256, &h, &size, &error);
        if (r < 0) {
                reportf(report, userdata, info->path, "cannot hash path '%s': %s", info->path,
                        error ? error : strerror(-r));
                free(error);
                return 1;
        }
        if (memcmp(h.bytes, info->nar_hash.bytes, hash_algo_size(HASH_SHA256)) != 0) {
                _cleanup_free_ char *want = hash_to_string(&info->nar_hash, HASH_FORMAT_BASE32);
                _cleanup_free_ char *got = hash_to_string(&h, HASH_FORMAT_BASE32);
                reportf(report, userdata, info->path, "path '%s' was modified! expected hash 'sha256:%s', got 'sha256:%s'",
                        info->path, want, got);
                return 1;
        }
        if (size != info->nar_size) {
                if (opts->repair && store_update_path_hash(store, info->path, &h, size) >= 0) {
                        reportf(report, userdata, info->path, "fixed the NAR size of '%s'", info->path);
                        return 0;
                }
                reportf(report, userdata, info->path, "path '%s' has NAR size %llu in the database, but %llu on disk",
                        info->path, (unsigned long long) info->nar_size, (unsigned long long) size);
                return 1;
        }
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Whether s is in the sorted list l of n strings. */
static bool sorted_contains(char *const *l, size_t n, const char *s) {
        return l && bsearch(&s, l, n, sizeof(char *), cmp_str) != NULL;
}

int store_verify(Store *store, const VerifyOptions *opts, VerifyReport report, void *userdata, char **ret_error) {
        int problems = check_database(store, report, userdata);
        _cleanup_strv_free_ char **valid = NULL;
        int r = store_query_all_valid(store, &valid);
        if (r < 0) {
                *ret_error = xstrdup("cannot list the valid paths in the database");
                return r;
        }
        size_t n_valid = strv_length(valid);
        for (size_t i = 0; valid && valid[i]; i++) {
                const char *path = valid[i];
                const char *base = store_path_base(store, path);
                struct stat st;
                if (!base || fstatat(store->store_fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        _cleanup_strv_free_ char **referrers = NULL;
                        store_query_referrers(store, path, &referrers);
                        if (referrers) {
                                reportf(report, userdata, path, "path '%s' disappeared, but it still has valid referrers!",
                                        path);
                                problems++;
                        } else if (opts->repair) {
                                char *error = NULL;
                                if (store_invalidate_path(store, path, &error) < 0) {
                                        reportf(report, userdata, path, "%s", error ? error : "cannot invalidate");
                                        problems++;
                                } else
                                        reportf(report, userdata, path, "path '%s' disappeared, removed it from the database",
                                                path);
                                free(error);
                        } else {
                                reportf(report, userdata, path, "path '%s' disappeared (--repair removes it from the database)",
                                        path);
                                problems++;
                        }
                        continue;
                }
                _cleanup_path_info_free_ PathInfo *info = NULL;
                r = store_query_path_info(store, path, &info);
                if (r < 0) {
                        reportf(report, userdata, path, "cannot read the metadata of '%s': %s", path, strerror(-r));
                        problems++;
                        continue;
                }
                for (size_t j = 0; info->references && info->references[j]; j++)
                        if (!sorted_contains(valid, n_valid, info->references[j])) {
                                reportf(report, userdata, path, "path '%s' refers to the invalid path '%s'", path,
                                        info->references[j]);
                                problems++;
                        }
                if (opts->check_contents)
                        problems += check_contents(store, info, opts, report, userdata);
        }
        return problems;
}
