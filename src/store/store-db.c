#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "derivation.h"
#include "fault.h"
#include "fileio.h"
#include "store-db.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

/* Nix 2.8's schema, version 10 (the db/schema file holds "10"). */
static const char schema_sql[] =
        "create table if not exists ValidPaths (\n"
        "    id               integer primary key autoincrement not null,\n"
        "    path             text unique not null,\n"
        "    hash             text not null,\n"
        "    registrationTime integer not null,\n"
        "    deriver          text,\n"
        "    narSize          integer,\n"
        "    ultimate         integer,\n"
        "    sigs             text,\n"
        "    ca               text\n"
        ");\n"
        "create table if not exists Refs (\n"
        "    referrer  integer not null,\n"
        "    reference integer not null,\n"
        "    primary key (referrer, reference),\n"
        "    foreign key (referrer) references ValidPaths(id) on delete cascade,\n"
        "    foreign key (reference) references ValidPaths(id) on delete restrict\n"
        ");\n"
        "create index if not exists IndexReferrer on Refs(referrer);\n"
        "create index if not exists IndexReference on Refs(reference);\n"
        "create trigger if not exists DeleteSelfRefs before delete on ValidPaths\n"
        "  begin\n"
        "    delete from Refs where referrer = old.id and reference = old.id;\n"
        "  end;\n"
        "create table if not exists DerivationOutputs (\n"
        "    drv  integer not null,\n"
        "    id   text not null,\n"
        "    path text not null,\n"
        "    primary key (drv, id),\n"
        "    foreign key (drv) references ValidPaths(id) on delete cascade\n"
        ");\n"
        "create index if not exists IndexDerivationOutputs on DerivationOutputs(path);\n";

#define BUSY_TIMEOUT_MS (60 * 60 * 1000)

static char *db_error(Store *store, const char *what) {
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s (in '%s/db/db.sqlite'): %s", what, store->state_dir, sqlite3_errmsg(store->db));
        return strbuf_detach(&sb, NULL);
}

/* SQLite result codes as errnos, for the callers' return values. */
static int sqlite_errno(int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_DONE:
        case SQLITE_ROW:
                return 0;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_CONSTRAINT:
                return -EINVAL;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EBADMSG;
        default:
                return -EIO;
        }
}

int store_db_open(Store *store, char **ret_error) {
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s/db/db.sqlite", store->state_dir);
        int rc = sqlite3_open_v2(sb.buf, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 NULL);
        strbuf_release(&sb);
        if (rc != SQLITE_OK) {
                *ret_error = db_error(store, "cannot open the store database");
                return sqlite_errno(rc);
        }
        sqlite3_busy_timeout(store->db, BUSY_TIMEOUT_MS);
        /* WAL lets readers run beside a writer; synchronous=normal is what
         * Nix uses: a commit is durable once the WAL is synced at checkpoint,
         * and a crash never leaves the database inconsistent. */
        rc = sqlite3_exec(store->db,
                          "pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on;",
                          NULL, NULL, NULL);
        /* A database with the schema (db/schema written, ValidPaths there)
         * needs no write transaction: every build child opens the store. */
        struct stat st;
        bool have_schema = rc == SQLITE_OK && fstatat(store->state_fd, "db/schema", &st, 0) >= 0 &&
                           sqlite3_table_column_metadata(store->db, NULL, "ValidPaths", "path", NULL, NULL, NULL,
                                                         NULL, NULL) == SQLITE_OK;
        if (rc == SQLITE_OK && !have_schema)
                rc = sqlite3_exec(store->db, "begin immediate;", NULL, NULL, NULL);
        if (rc == SQLITE_OK && !have_schema) {
                rc = sqlite3_exec(store->db, schema_sql, NULL, NULL, NULL);
                if (rc == SQLITE_OK)
                        rc = sqlite3_exec(store->db, "commit;", NULL, NULL, NULL);
                else
                        sqlite3_exec(store->db, "rollback;", NULL, NULL, NULL);
        }
        if (rc != SQLITE_OK) {
                *ret_error = db_error(store, "cannot set up the store database");
                return sqlite_errno(rc);
        }
        /* Nix checks this file for the schema version. */
        if (fstatat(store->state_fd, "db/schema", &st, 0) < 0) {
                int r = write_file_atomic(store->state_fd, "db/schema", "10", 2, 0644);
                if (r < 0) {
                        *ret_error = xstrdup("cannot write the database schema version file");
                        return r;
                }
        }
        return 0;
}

void store_db_close(Store *store) {
        if (store->db)
                sqlite3_close_v2(store->db);
        store->db = NULL;
}

PathInfo *path_info_new(const char *path) {
        PathInfo *info = xcalloc(1, sizeof(*info));
        info->path = xstrdup(path);
        info->nar_hash.algo = HASH_SHA256;
        return info;
}

PathInfo *path_info_free(PathInfo *info) {
        if (!info)
                return NULL;
        free(info->path);
        free(info->deriver);
        free(info->sigs);
        free(info->ca);
        strv_free(info->references);
        free(info);
        return NULL;
}

char *store_db_format_hash(const Hash *h) {
        _cleanup_free_ char *hex = hash_to_string(h, HASH_FORMAT_BASE16);
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s:%s", hash_algo_to_string(h->algo), hex);
        return strbuf_detach(&sb, NULL);
}

int store_db_parse_hash(const char *s, Hash *ret) {
        return hash_from_string(s, NULL, ret);
}

static void stmt_finalizep(sqlite3_stmt **s) {
        if (*s)
                sqlite3_finalize(*s);
}
#define _cleanup_stmt_ _cleanup_(stmt_finalizep)

static int prepare(Store *store, const char *sql, sqlite3_stmt **ret) {
        int rc = sqlite3_prepare_v2(store->db, sql, -1, ret, NULL);
        return sqlite_errno(rc);
}

static int bind_text(sqlite3_stmt *st, int i, const char *s) {
        return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) == SQLITE_OK ? 0 : -EIO;
}

static const char *column_text(sqlite3_stmt *st, int i) {
        return (const char *) sqlite3_column_text(st, i);
}

/* Runs a statement that yields single text columns, collecting them. */
static int collect_strings(sqlite3_stmt *st, char ***ret) {
        char **l = NULL;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                l = strv_push(l, column_text(st, 0));
        if (rc != SQLITE_DONE) {
                strv_free(l);
                return sqlite_errno(rc);
        }
        strv_sort_unique(l);
        *ret = l;
        return 0;
}

/* ValidPaths.id of path: > 0, 0 when not valid, or a negative errno. */
static int64_t path_id(Store *store, const char *path) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store, "select id from ValidPaths where path = ?", &st);
        if (r < 0)
                return r;
        bind_text(st, 1, path);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return sqlite3_column_int64(st, 0);
        return rc == SQLITE_DONE ? 0 : sqlite_errno(rc);
}

int store_is_valid(Store *store, const char *path) {
        int64_t id = path_id(store, path);
        return id < 0 ? (int) id : id > 0;
}

int store_query_path_info(Store *store, const char *path, PathInfo **ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store,
                        "select id, hash, registrationTime, deriver, narSize, ultimate, sigs, ca "
                        "from ValidPaths where path = ?",
                        &st);
        if (r < 0)
                return r;
        bind_text(st, 1, path);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return sqlite_errno(rc);
        _cleanup_path_info_free_ PathInfo *info = path_info_new(path);
        int64_t id = sqlite3_column_int64(st, 0);
        if (store_db_parse_hash(column_text(st, 1), &info->nar_hash) < 0)
                return -EBADMSG;
        info->registration_time = (time_t) sqlite3_column_int64(st, 2);
        if (column_text(st, 3))
                info->deriver = xstrdup(column_text(st, 3));
        info->nar_size = (uint64_t) sqlite3_column_int64(st, 4);
        info->ultimate = sqlite3_column_int(st, 5) != 0;
        if (column_text(st, 6))
                info->sigs = xstrdup(column_text(st, 6));
        if (column_text(st, 7))
                info->ca = xstrdup(column_text(st, 7));

        _cleanup_stmt_ sqlite3_stmt *refs = NULL;
        r = prepare(store, "select path from Refs join ValidPaths on reference = id where referrer = ?", &refs);
        if (r < 0)
                return r;
        sqlite3_bind_int64(refs, 1, id);
        r = collect_strings(refs, &info->references);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(info);
        return 0;
}

static int exec(Store *store, const char *sql) {
        return sqlite_errno(sqlite3_exec(store->db, sql, NULL, NULL, NULL));
}

/* Commits the open transaction, after a failure point: an injected fault
 * or crash here must leave the database as it was. */
static int commit(Store *store) {
        int r = fault_point("db-commit");
        if (r < 0)
                return r;
        return exec(store, "commit;");
}

static int upsert_path(Store *store, const PathInfo *info, time_t now) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store,
                        "insert into ValidPaths (path, hash, registrationTime, deriver, narSize, ultimate, sigs, ca) "
                        "values (?, ?, ?, ?, ?, ?, ?, ?) "
                        "on conflict (path) do update set hash = excluded.hash, narSize = excluded.narSize, "
                        "deriver = coalesce(excluded.deriver, deriver), ultimate = excluded.ultimate, "
                        "sigs = excluded.sigs, ca = excluded.ca",
                        &st);
        if (r < 0)
                return r;
        _cleanup_free_ char *hash = store_db_format_hash(&info->nar_hash);
        bind_text(st, 1, info->path);
        bind_text(st, 2, hash);
        sqlite3_bind_int64(st, 3, info->registration_time ? info->registration_time : now);
        if (info->deriver)
                bind_text(st, 4, info->deriver);
        sqlite3_bind_int64(st, 5, (sqlite3_int64) info->nar_size);
        if (info->ultimate)
                sqlite3_bind_int(st, 6, 1);
        if (info->sigs)
                bind_text(st, 7, info->sigs);
        if (info->ca)
                bind_text(st, 8, info->ca);
        return sqlite_errno(sqlite3_step(st));
}

static int add_drv_outputs(Store *store, const PathInfo *info, int64_t id, char **ret_error) {
        size_t l = strlen(info->path);
        if (l < strlen(DRV_EXTENSION) || strcmp(info->path + l - strlen(DRV_EXTENSION), DRV_EXTENSION) != 0)
                return 0;
        _cleanup_free_ char *real = store_real_path(store, info->path);
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = read_file(AT_FDCWD, real, DRV_MAX_SIZE, &text, &len);
        if (r < 0) {
                StrBuf sb = STRBUF_INIT;
                strbuf_addf(&sb, "reading derivation '%s': %s", info->path, strerror(-r));
                *ret_error = strbuf_detach(&sb, NULL);
                return r;
        }
        _cleanup_(drv_freep) Derivation *drv = NULL;
        char *perr = NULL;
        r = drv_parse(text, len, "", &drv, &perr);
        if (r < 0) {
                StrBuf sb = STRBUF_INIT;
                strbuf_addf(&sb, "derivation '%s' is malformed: %s", info->path, perr ? perr : "");
                free(perr);
                *ret_error = strbuf_detach(&sb, NULL);
                return r;
        }
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        r = prepare(store, "insert or replace into DerivationOutputs (drv, id, path) values (?, ?, ?)", &st);
        if (r < 0)
                return r;
        for (size_t i = 0; i < drv->n_outputs; i++) {
                if (!*drv->outputs[i].path)
                        continue;
                sqlite3_reset(st);
                sqlite3_bind_int64(st, 1, id);
                bind_text(st, 2, drv->outputs[i].name);
                bind_text(st, 3, drv->outputs[i].path);
                r = sqlite_errno(sqlite3_step(st));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int register_in_transaction(Store *store, PathInfo *const *infos, size_t n, char **ret_error) {
        time_t now = time(NULL);
        int r;
        for (size_t i = 0; i < n; i++) {
                r = upsert_path(store, infos[i], now);
                if (r < 0) {
                        *ret_error = db_error(store, "cannot register path");
                        return r;
                }
        }
        _cleanup_stmt_ sqlite3_stmt *ref = NULL;
        r = prepare(store, "insert or replace into Refs (referrer, reference) values (?, ?)", &ref);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                int64_t id = path_id(store, infos[i]->path);
                if (id <= 0)
                        return id < 0 ? (int) id : -EIO;
                for (size_t j = 0; infos[i]->references && infos[i]->references[j]; j++) {
                        const char *target = infos[i]->references[j];
                        int64_t tid = path_id(store, target);
                        if (tid < 0)
                                return (int) tid;
                        if (tid == 0) {
                                StrBuf sb = STRBUF_INIT;
                                strbuf_addf(&sb, "cannot add path '%s' because it references path '%s' which is not valid",
                                            infos[i]->path, target);
                                *ret_error = strbuf_detach(&sb, NULL);
                                return -EINVAL;
                        }
                        sqlite3_reset(ref);
                        sqlite3_bind_int64(ref, 1, id);
                        sqlite3_bind_int64(ref, 2, tid);
                        r = sqlite_errno(sqlite3_step(ref));
                        if (r < 0)
                                return r;
                }
                r = add_drv_outputs(store, infos[i], id, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

int store_register_paths(Store *store, PathInfo *const *infos, size_t n, char **ret_error) {
        int r = exec(store, "begin immediate;");
        if (r < 0) {
                *ret_error = db_error(store, "cannot start a transaction");
                return r;
        }
        r = register_in_transaction(store, infos, n, ret_error);
        if (r >= 0) {
                r = commit(store);
                if (r < 0 && !*ret_error)
                        *ret_error = db_error(store, "cannot commit the registration");
        }
        if (r < 0)
                exec(store, "rollback;");
        return r;
}

int store_query_referrers(Store *store, const char *path, char ***ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store,
                        "select p.path from Refs join ValidPaths p on referrer = p.id "
                        "where reference = (select id from ValidPaths where path = ?) and referrer != reference",
                        &st);
        if (r < 0)
                return r;
        bind_text(st, 1, path);
        return collect_strings(st, ret);
}

int store_query_drv_outputs(Store *store, const char *drv_path, char ***ret_names, char ***ret_paths) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store,
                        "select id, path from DerivationOutputs where drv = "
                        "(select id from ValidPaths where path = ?) order by id",
                        &st);
        if (r < 0)
                return r;
        bind_text(st, 1, drv_path);
        _cleanup_strv_free_ char **names = NULL, **paths = NULL;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                names = strv_push(names, column_text(st, 0));
                paths = strv_push(paths, column_text(st, 1));
        }
        if (rc != SQLITE_DONE)
                return sqlite_errno(rc);
        *ret_names = TAKE_PTR(names);
        *ret_paths = TAKE_PTR(paths);
        return 0;
}

int store_query_valid_derivers(Store *store, const char *path, char ***ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store, "select v.path from DerivationOutputs d join ValidPaths v on d.drv = v.id where d.path = ?",
                        &st);
        if (r < 0)
                return r;
        bind_text(st, 1, path);
        return collect_strings(st, ret);
}

int store_query_all_valid(Store *store, char ***ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store, "select path from ValidPaths", &st);
        if (r < 0)
                return r;
        return collect_strings(st, ret);
}

/* A set of ValidPaths ids that remembers insertion order: the closure
 * walk's visited set and queue in one. Open addressing, at most half full. */
typedef struct IdSet {
        int64_t *slots;
        size_t cap;
        int64_t *order;
        size_t n;
} IdSet;

static size_t id_slot(const int64_t *slots, size_t cap, int64_t id) {
        size_t h = (size_t) ((uint64_t) id * 0x9e3779b97f4a7c15ull) & (cap - 1);
        while (slots[h] && slots[h] != id)
                h = (h + 1) & (cap - 1);
        return h;
}

static void idset_add(IdSet *s, int64_t id) {
        if ((s->n + 1) * 2 > s->cap) {
                size_t ncap = s->cap ? s->cap * 2 : 1024;
                int64_t *slots = xcalloc(ncap, sizeof(int64_t));
                for (size_t i = 0; i < s->n; i++)
                        slots[id_slot(slots, ncap, s->order[i])] = s->order[i];
                free(s->slots);
                s->slots = slots;
                s->order = xrealloc(s->order, ncap / 2 * sizeof(int64_t));
                s->cap = ncap;
        }
        size_t h = id_slot(s->slots, s->cap, id);
        if (s->slots[h])
                return;
        s->slots[h] = id;
        s->order[s->n++] = id;
}

static void idset_done(IdSet *s) {
        free(s->slots);
        free(s->order);
}

/* Breadth-first over ids: one indexed query per visited path. */
int store_query_closure(Store *store, char *const *paths, bool reverse, char ***ret, char **ret_error) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store,
                        reverse ? "select referrer from Refs where reference = ?"
                                : "select reference from Refs where referrer = ?",
                        &st);
        if (r < 0)
                return r;
        _cleanup_(idset_done) IdSet seen = { 0 };
        for (size_t i = 0; paths && paths[i]; i++) {
                int64_t id = path_id(store, paths[i]);
                if (id < 0)
                        return (int) id;
                if (id == 0) {
                        StrBuf sb = STRBUF_INIT;
                        strbuf_addf(&sb, "path '%s' is not valid", paths[i]);
                        *ret_error = strbuf_detach(&sb, NULL);
                        return -ENOENT;
                }
                idset_add(&seen, id);
        }
        for (size_t qi = 0; qi < seen.n; qi++) {
                sqlite3_reset(st);
                sqlite3_bind_int64(st, 1, seen.order[qi]);
                int rc;
                while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                        idset_add(&seen, sqlite3_column_int64(st, 0));
                if (rc != SQLITE_DONE)
                        return sqlite_errno(rc);
        }
        _cleanup_stmt_ sqlite3_stmt *name = NULL;
        r = prepare(store, "select path from ValidPaths where id = ?", &name);
        if (r < 0)
                return r;
        char **l = xcalloc(seen.n + 1, sizeof(char *));
        for (size_t i = 0; i < seen.n; i++) {
                sqlite3_reset(name);
                sqlite3_bind_int64(name, 1, seen.order[i]);
                if (sqlite3_step(name) != SQLITE_ROW) {
                        strv_free(l);
                        return -EIO;
                }
                l[i] = xstrdup(column_text(name, 0));
        }
        strv_sort_unique(l);
        *ret = l;
        return 0;
}

int store_invalidate_path(Store *store, const char *path, char **ret_error) {
        int r = exec(store, "begin immediate;");
        if (r < 0) {
                *ret_error = db_error(store, "cannot start a transaction");
                return r;
        }
        _cleanup_strv_free_ char **referrers = NULL;
        r = store_query_referrers(store, path, &referrers);
        if (r >= 0 && referrers) {
                StrBuf sb = STRBUF_INIT;
                strbuf_addf(&sb, "cannot delete path '%s' since it is still referenced by '%s'", path, referrers[0]);
                *ret_error = strbuf_detach(&sb, NULL);
                r = -EBUSY;
        }
        if (r >= 0) {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                r = prepare(store, "delete from ValidPaths where path = ?", &st);
                if (r >= 0) {
                        bind_text(st, 1, path);
                        r = sqlite_errno(sqlite3_step(st));
                }
        }
        if (r >= 0)
                r = commit(store);
        if (r < 0) {
                if (!*ret_error)
                        *ret_error = db_error(store, "cannot invalidate path");
                exec(store, "rollback;");
        }
        return r;
}

int store_update_path_hash(Store *store, const char *path, const Hash *nar_hash, uint64_t nar_size) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store, "update ValidPaths set hash = ?, narSize = ? where path = ?", &st);
        if (r < 0)
                return r;
        _cleanup_free_ char *hash = store_db_format_hash(nar_hash);
        bind_text(st, 1, hash);
        sqlite3_bind_int64(st, 2, (sqlite3_int64) nar_size);
        bind_text(st, 3, path);
        return sqlite_errno(sqlite3_step(st));
}

/* ---- bulk operations for garbage collection ---- */

void store_graph_done(StoreGraph *g) {
        strv_free(g->paths);
        for (size_t i = 0; g->derivers && i < g->n; i++)
                free(g->derivers[i]);
        free(g->derivers);
        free(g->nar_sizes);
        free(g->ref_from);
        free(g->ref_to);
        *g = (StoreGraph) { 0 };
}

/* The index of id in the ascending ids, or SIZE_MAX. */
static size_t id_index(const int64_t *ids, size_t n, int64_t id) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (ids[mid] < id)
                        lo = mid + 1;
                else if (ids[mid] > id)
                        hi = mid;
                else
                        return mid;
        }
        return SIZE_MAX;
}

static int query_graph_in_transaction(Store *store, StoreGraph *g) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(store, "select id, path, deriver, narSize from ValidPaths order by id", &st);
        if (r < 0)
                return r;
        _cleanup_free_ int64_t *ids = NULL;
        size_t cap = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (g->n + 1 >= cap) {
                        cap = cap ? cap * 2 : 1024;
                        ids = xrealloc(ids, cap * sizeof(*ids));
                        g->paths = xrealloc(g->paths, (cap + 1) * sizeof(char *));
                        g->derivers = xrealloc(g->derivers, cap * sizeof(char *));
                        g->nar_sizes = xrealloc(g->nar_sizes, cap * sizeof(uint64_t));
                }
                const char *deriver = column_text(st, 2);
                ids[g->n] = sqlite3_column_int64(st, 0);
                g->paths[g->n] = xstrdup(column_text(st, 1));
                g->derivers[g->n] = deriver && *deriver ? xstrdup(deriver) : NULL;
                g->nar_sizes[g->n] = (uint64_t) sqlite3_column_int64(st, 3);
                g->n++;
                g->paths[g->n] = NULL;
        }
        if (rc != SQLITE_DONE)
                return sqlite_errno(rc);

        _cleanup_stmt_ sqlite3_stmt *refs = NULL;
        r = prepare(store, "select referrer, reference from Refs where referrer != reference", &refs);
        if (r < 0)
                return r;
        cap = 0;
        while ((rc = sqlite3_step(refs)) == SQLITE_ROW) {
                size_t from = id_index(ids, g->n, sqlite3_column_int64(refs, 0));
                size_t to = id_index(ids, g->n, sqlite3_column_int64(refs, 1));
                if (from == SIZE_MAX || to == SIZE_MAX)
                        return -EBADMSG; /* the foreign keys forbid this */
                if (g->n_refs == cap) {
                        cap = cap ? cap * 2 : 4096;
                        g->ref_from = xrealloc(g->ref_from, cap * sizeof(size_t));
                        g->ref_to = xrealloc(g->ref_to, cap * sizeof(size_t));
                }
                g->ref_from[g->n_refs] = from;
                g->ref_to[g->n_refs] = to;
                g->n_refs++;
        }
        return rc == SQLITE_DONE ? 0 : sqlite_errno(rc);
}

int store_query_graph(Store *store, StoreGraph *ret) {
        /* One read transaction: both queries see the same snapshot. */
        StoreGraph g = { 0 };
        int r = exec(store, "begin;");
        if (r < 0)
                return r;
        r = query_graph_in_transaction(store, &g);
        exec(store, r < 0 ? "rollback;" : "commit;");
        if (r < 0) {
                store_graph_done(&g);
                return r;
        }
        *ret = g;
        return 0;
}

static int invalidate_in_transaction(Store *store, char *const *paths, size_t n, bool *ret_invalidated) {
        _cleanup_stmt_ sqlite3_stmt *id_st = NULL, *ref_st = NULL, *del_st = NULL;
        int r = prepare(store, "select id from ValidPaths where path = ?", &id_st);
        if (r >= 0)
                r = prepare(store, "select 1 from Refs where reference = ?1 and referrer != ?1 limit 1", &ref_st);
        if (r >= 0)
                r = prepare(store, "delete from ValidPaths where id = ?", &del_st);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                sqlite3_reset(id_st);
                bind_text(id_st, 1, paths[i]);
                int rc = sqlite3_step(id_st);
                if (rc == SQLITE_DONE) { /* not valid: nothing to do */
                        if (ret_invalidated)
                                ret_invalidated[i] = true;
                        continue;
                }
                if (rc != SQLITE_ROW)
                        return sqlite_errno(rc);
                int64_t id = sqlite3_column_int64(id_st, 0);
                sqlite3_reset(ref_st);
                sqlite3_bind_int64(ref_st, 1, id);
                rc = sqlite3_step(ref_st);
                if (rc == SQLITE_ROW) { /* still referred to: keep it */
                        if (ret_invalidated)
                                ret_invalidated[i] = false;
                        continue;
                }
                if (rc != SQLITE_DONE)
                        return sqlite_errno(rc);
                sqlite3_reset(del_st);
                sqlite3_bind_int64(del_st, 1, id);
                r = sqlite_errno(sqlite3_step(del_st));
                if (r < 0)
                        return r;
                if (ret_invalidated)
                        ret_invalidated[i] = true;
        }
        return 0;
}

int store_invalidate_paths(Store *store, char *const *paths, size_t n, bool *ret_invalidated, char **ret_error) {
        int r = exec(store, "begin immediate;");
        if (r < 0) {
                *ret_error = db_error(store, "cannot start a transaction");
                return r;
        }
        r = invalidate_in_transaction(store, paths, n, ret_invalidated);
        if (r >= 0)
                r = commit(store);
        if (r < 0) {
                if (!*ret_error)
                        *ret_error = db_error(store, "cannot invalidate paths");
                exec(store, "rollback;");
        }
        return r;
}
