#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "strbuf.h"
#include "users.h"
#include "xalloc.h"

#define SYSTEM_ID_MIN 400
#define SYSTEM_ID_MAX 999
#define NORMAL_ID_MIN 1000
#define NORMAL_ID_MAX 59999
#define NOGROUP_GID 65534
#define ACCOUNT_FILE_MAX (16u << 20)
#define ID_NONE (-2LL) /* distinct from ACTIVATION_ID_AUTO */

/* One line of an account file or map: its name, its number (ID_NONE for
 * shadow lines), and the whole line without its newline. */
typedef struct Entry {
        char *name;
        long long id;
        char *line;
        long long gid;   /* passwd: the primary group */
} Entry;

typedef struct Table {
        Entry *v;
        size_t n, alloc;
} Table;

struct UserDb {
        Table users, groups;
};

static Entry *table_add(Table *t, const char *name, long long id, char *line) {
        if (t->n == t->alloc) {
                t->alloc = t->alloc ? t->alloc * 2 : 32;
                t->v = xrealloc(t->v, t->alloc * sizeof(Entry));
        }
        Entry *e = &t->v[t->n++];
        *e = (Entry) { .name = xstrdup(name), .id = id, .line = line, .gid = ID_NONE };
        return e;
}

static Entry *table_find(const Table *t, const char *name) {
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->v[i].name, name) == 0)
                        return &t->v[i];
        return NULL;
}

static Entry *table_find_id(const Table *t, long long id) {
        for (size_t i = 0; i < t->n; i++)
                if (t->v[i].id == id)
                        return &t->v[i];
        return NULL;
}

static void table_release(Table *t) {
        for (size_t i = 0; i < t->n; i++) {
                free(t->v[i].name);
                free(t->v[i].line);
        }
        free(t->v);
        *t = (Table) { 0 };
}

static int entry_cmp(const void *a, const void *b) {
        const Entry *x = a, *y = b;
        if (x->id != y->id)
                return x->id < y->id ? -1 : 1;
        return strcmp(x->name, y->name);
}

static bool parse_id(const char *s, long long *ret) {
        if (!*s || strlen(s) > 10)
                return false;
        long long v = 0;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                v = v * 10 + (*p - '0');
        }
        if (v >= 4294967295LL)
                return false;
        *ret = v;
        return true;
}

/* The n-th ':'-separated field of line, malloc'ed ("" when missing). */
static char *field(const char *line, int n) {
        const char *p = line;
        for (int i = 0; i < n; i++) {
                p = strchr(p, ':');
                if (!p)
                        return xstrdup("");
                p++;
        }
        return xstrndup(p, strcspn(p, ":"));
}

static int count_fields(const char *line) {
        int n = 1;
        for (const char *p = line; *p; p++)
                n += *p == ':';
        return n;
}

typedef enum Kind { KIND_PASSWD, KIND_GROUP, KIND_SHADOW, KIND_GSHADOW, KIND_MAP } Kind;

/* Parses an account file (or a map: "NAME ID" lines). Lines that don't
 * parse are dropped with a warning (they'd be dropped on rewrite anyway). */
static void parse_table(const char *data, Kind kind, const char *what, Table *t) {
        const char *p = data;
        unsigned lineno = 0;
        while (*p) {
                const char *nl = strchrnul(p, '\n');
                _cleanup_free_ char *line = xstrndup(p, (size_t) (nl - p));
                p = *nl ? nl + 1 : nl;
                lineno++;
                if (!*line)
                        continue;
                if (kind == KIND_MAP) {
                        char *sp = strchr(line, ' ');
                        long long id;
                        if (!sp || (*sp = 0, !activation_valid_name(line)) || !parse_id(sp + 1, &id)) {
                                log_warning("%s:%u: ignoring malformed line", what, lineno);
                                continue;
                        }
                        if (!table_find(t, line))
                                table_add(t, line, id, NULL);
                        continue;
                }
                static const int nfields[] = { [KIND_PASSWD] = 7, [KIND_GROUP] = 4, [KIND_SHADOW] = 9,
                                               [KIND_GSHADOW] = 4 };
                int nf = count_fields(line);
                _cleanup_free_ char *name = field(line, 0);
                bool ok = *name && (kind == KIND_SHADOW ? nf >= 2 && nf <= 9 : nf == nfields[kind]);
                long long id = ID_NONE, gid = ID_NONE;
                if (ok && (kind == KIND_PASSWD || kind == KIND_GROUP)) {
                        _cleanup_free_ char *ids = field(line, 2);
                        ok = parse_id(ids, &id);
                        if (ok && kind == KIND_PASSWD) {
                                _cleanup_free_ char *gids = field(line, 3);
                                ok = parse_id(gids, &gid);
                        }
                }
                if (!ok) {
                        log_warning("%s:%u: ignoring malformed line", what, lineno);
                        continue;
                }
                if (table_find(t, name)) {
                        log_warning("%s:%u: ignoring second entry for \"%s\"", what, lineno, name);
                        continue;
                }
                table_add(t, name, id, TAKE_PTR(line))->gid = gid;
        }
}

/* Reads etc/NAME (or a map) into t; a missing file is an empty table. */
static int load_table(const Root *r, const char *path, Kind kind, Table *t) {
        _cleanup_free_ char *data = NULL;
        int q = root_read_file(r, path, ACCOUNT_FILE_MAX, &data, NULL);
        if (q == -ENOENT)
                return 0;
        if (q < 0)
                return q;
        parse_table(data, kind, path, t);
        return 0;
}

/* Is id free for a new allocation? */
static bool id_taken(long long id, const Table *map, const Table *assigned, const Table *current) {
        return table_find_id(map, id) || table_find_id(assigned, id) || table_find_id(current, id);
}

static long long allocate(bool system, const Table *map, const Table *assigned, const Table *current) {
        if (system) {
                for (long long id = SYSTEM_ID_MAX; id >= SYSTEM_ID_MIN; id--)
                        if (!id_taken(id, map, assigned, current))
                                return id;
        } else
                for (long long id = NORMAL_ID_MIN; id <= NORMAL_ID_MAX; id++)
                        if (!id_taken(id, map, assigned, current))
                                return id;
        return ID_NONE;
}

static bool kept_range(long long id) {
        return id < NORMAL_ID_MIN || id > NORMAL_ID_MAX;
}

/* Sets map[name] = id (adds or updates). */
static void map_set(Table *map, const char *name, long long id) {
        Entry *e = table_find(map, name);
        if (e)
                e->id = id;
        else
                table_add(map, name, id, NULL);
}

static char *map_render(Table *map) {
        qsort(map->v, map->n, sizeof(Entry), entry_cmp);
        StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; i < map->n; i++)
                if (map->v[i].id != ID_NONE)
                        strbuf_addf(&sb, "%s %lld\n", map->v[i].name, map->v[i].id);
        return strbuf_detach(&sb, NULL);
}

static char *table_render(Table *t) {
        qsort(t->v, t->n, sizeof(Entry), entry_cmp);
        StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; i < t->n; i++)
                strbuf_addf(&sb, "%s\n", t->v[i].line);
        return strbuf_detach(&sb, NULL);
}

/* The state read from disk. */
typedef struct Current {
        Table passwd, group, shadow, gshadow, uid_map, gid_map;
} Current;

static void current_release(Current *c) {
        table_release(&c->passwd);
        table_release(&c->group);
        table_release(&c->shadow);
        table_release(&c->gshadow);
        table_release(&c->uid_map);
        table_release(&c->gid_map);
}

/* A declared account, for number assignment. */
typedef struct Decl {
        const char *name;
        long long id;   /* in: declared or ACTIVATION_ID_AUTO; out: assigned or ID_NONE */
        bool system;
} Decl;

static bool is_declared(const Decl *d, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(d[i].name, name) == 0)
                        return true;
        return false;
}

/* The number rules of users.h for one kind (users or groups): splits the
 * current entries into kept ones (copied into kept, lines included) and
 * removed ones (reserved in map), then gives each declared entry its
 * number and records it in map. */
static void assign_ids(Decl *d, size_t n, const Table *current, Table *map, Table *kept, size_t *removed,
                       const char *what) {
        for (size_t i = 0; i < current->n; i++) {
                const Entry *e = &current->v[i];
                if (is_declared(d, n, e->name))
                        continue;
                if (kept_range(e->id) && !table_find(map, e->name)) {
                        table_add(kept, e->name, e->id, xstrdup(e->line))->gid = e->gid;
                        continue;
                }
                (*removed)++;
                if (!table_find(map, e->name))
                        table_add(map, e->name, e->id, NULL);
        }
        Table assigned = { 0 };
        for (size_t i = 0; i < n; i++)
                if (d[i].id != ACTIVATION_ID_AUTO)
                        table_add(&assigned, d[i].name, d[i].id, NULL);
        /* The number the name already has, unless someone else holds it. */
        for (size_t i = 0; i < n; i++) {
                if (d[i].id != ACTIVATION_ID_AUTO)
                        continue;
                const Entry *e = table_find(current, d[i].name);
                if (!e)
                        e = table_find(map, d[i].name);
                if (e && e->id != ID_NONE && !table_find_id(&assigned, e->id) && !table_find_id(kept, e->id)) {
                        d[i].id = e->id;
                        table_add(&assigned, d[i].name, d[i].id, NULL);
                }
        }
        for (size_t i = 0; i < n; i++) {
                if (d[i].id != ACTIVATION_ID_AUTO)
                        continue;
                d[i].id = allocate(d[i].system, map, &assigned, current);
                if (d[i].id == ID_NONE) {
                        log_warning("no free %s id for \"%s\"; leaving it out", what, d[i].name);
                        continue;
                }
                table_add(&assigned, d[i].name, d[i].id, NULL);
        }
        for (size_t i = 0; i < n; i++) {
                if (d[i].id == ID_NONE)
                        continue;
                const Entry *other = table_find_id(kept, d[i].id);
                if (other)
                        log_warning("%s \"%s\" shares id %lld with \"%s\"", what, d[i].name, d[i].id, other->name);
                map_set(map, d[i].name, d[i].id);
        }
        table_release(&assigned);
}

/* Computes the new group table: declared groups, then kept ones. */
static void plan_groups(const Activation *a, Current *c, Table *out, UsersStats *st) {
        Decl *d = xcalloc(a->n_groups + 1, sizeof(Decl));
        for (size_t i = 0; i < a->n_groups; i++)
                d[i] = (Decl) { a->groups[i].name, a->groups[i].gid, true };
        Table kept = { 0 };
        assign_ids(d, a->n_groups, &c->group, &c->gid_map, &kept, &st->groups_removed, "group");
        for (size_t i = 0; i < a->n_groups; i++) {
                const GroupSpec *g = &a->groups[i];
                if (d[i].id == ID_NONE)
                        continue;
                StrBuf sb = STRBUF_INIT;
                strbuf_addf(&sb, "%s:x:%lld:", g->name, d[i].id);
                for (char **m = g->members; *m; m++)
                        strbuf_addf(&sb, "%s%s", m == g->members ? "" : ",", *m);
                table_add(out, g->name, d[i].id, strbuf_detach(&sb, NULL));
        }
        for (size_t i = 0; i < kept.n; i++)
                table_add(out, kept.v[i].name, kept.v[i].id, TAKE_PTR(kept.v[i].line));
        if (!table_find_id(out, 0) && !table_find(out, "root")) {
                log_warning("no group has gid 0; adding a default \"root\" group");
                table_add(out, "root", 0, xstrdup("root:x:0:"));
        }
        table_release(&kept);
        free(d);
}

static long long primary_gid(const UserSpec *u, const Table *groups) {
        Entry *e = table_find(groups, u->group);
        long long id;
        if (e)
                return e->id;
        if (parse_id(u->group, &id))
                return id;
        log_warning("user \"%s\": unknown group \"%s\"; using gid %d", u->name, u->group, NOGROUP_GID);
        return NOGROUP_GID;
}

static void plan_users(const Activation *a, Current *c, const Table *groups, Table *out, UsersStats *st) {
        Decl *d = xcalloc(a->n_users + 1, sizeof(Decl));
        for (size_t i = 0; i < a->n_users; i++)
                d[i] = (Decl) { a->users[i].name, a->users[i].uid, a->users[i].is_system };
        Table kept = { 0 };
        assign_ids(d, a->n_users, &c->passwd, &c->uid_map, &kept, &st->users_removed, "user");
        for (size_t i = 0; i < a->n_users; i++) {
                const UserSpec *u = &a->users[i];
                if (d[i].id == ID_NONE)
                        continue;
                long long gid = primary_gid(u, groups);
                char *line = xasprintf("%s:x:%lld:%lld:%s:%s:%s", u->name, d[i].id, gid, u->description, u->home,
                                       u->shell);
                table_add(out, u->name, d[i].id, line)->gid = gid;
        }
        for (size_t i = 0; i < kept.n; i++)
                table_add(out, kept.v[i].name, kept.v[i].id, TAKE_PTR(kept.v[i].line))->gid = kept.v[i].gid;
        if (!table_find_id(out, 0) && !table_find(out, "root")) {
                log_warning("no user has uid 0; adding a default \"root\" user");
                table_add(out, "root", 0, xstrdup("root:x:0:0:root:/root:/bin/sh"))->gid = 0;
        }
        table_release(&kept);
        free(d);
}

static const UserSpec *find_user_spec(const Activation *a, const char *name) {
        for (size_t i = 0; i < a->n_users; i++)
                if (strcmp(a->users[i].name, name) == 0)
                        return &a->users[i];
        return NULL;
}

static const GroupSpec *find_group_spec(const Activation *a, const char *name) {
        for (size_t i = 0; i < a->n_groups; i++)
                if (strcmp(a->groups[i].name, name) == 0)
                        return &a->groups[i];
        return NULL;
}

/* The hash a declared user's shadow line gets: hashedPasswordFile's first
 * line (read now, so a secret never enters the store), else
 * hashedPassword; NULL: keep the current one. An unreadable or malformed
 * file locks the account ("!") rather than keep a password the
 * configuration no longer means. */
static char *declared_hash(const Root *r, const UserSpec *spec) {
        if (!spec)
                return NULL;
        if (!spec->hashed_password_file)
                return spec->hashed_password ? xstrdup(spec->hashed_password) : NULL;
        _cleanup_free_ char *data = NULL;
        int q = root_read_file(r, spec->hashed_password_file, 4096, &data, NULL);
        if (q < 0) {
                log_warning("user %s: cannot read hashedPasswordFile %s (%s); locking the password", spec->name,
                            spec->hashed_password_file, strerror(-q));
                return xstrdup("!");
        }
        data[strcspn(data, "\n")] = '\0';
        if (strchr(data, ':')) {
                log_warning("user %s: hashedPasswordFile %s holds a ':'; locking the password", spec->name,
                            spec->hashed_password_file);
                return xstrdup("!");
        }
        return TAKE_PTR(data);
}

/* shadow: declared users get their hash (or keep the current one; a new
 * user gets initialHashedPassword, else "!"); kept users keep their line. */
static void plan_shadow(const Root *r, const Activation *a, const Current *c, const Table *users, Table *out) {
        for (size_t i = 0; i < users->n; i++) {
                const Entry *u = &users->v[i];
                const UserSpec *spec = find_user_spec(a, u->name);
                const Entry *old = table_find(&c->shadow, u->name);
                _cleanup_free_ char *hash = declared_hash(r, spec);
                char *line;
                if (old && !hash)
                        line = xstrdup(old->line);
                else if (old) {
                        /* Replace the hash field, keep the aging fields. */
                        const char *rest = strchr(old->line, ':');
                        rest = rest ? strchr(rest + 1, ':') : NULL;
                        line = xasprintf("%s:%s%s", u->name, hash, rest ? rest : "");
                } else
                        line = xasprintf("%s:%s:1::::::", u->name,
                                         hash                                   ? hash
                                         : spec && spec->initial_hashed_password ? spec->initial_hashed_password
                                                                                 : "!");
                table_add(out, u->name, u->id, line);
        }
}

static void plan_gshadow(const Activation *a, const Current *c, const Table *groups, Table *out) {
        for (size_t i = 0; i < groups->n; i++) {
                const Entry *g = &groups->v[i];
                const Entry *old = table_find(&c->gshadow, g->name);
                char *line;
                if (!find_group_spec(a, g->name) && old)
                        line = xstrdup(old->line);
                else {
                        _cleanup_free_ char *members = field(g->line, 3);
                        line = xasprintf("%s:!::%s", g->name, members);
                }
                table_add(out, g->name, g->id, line);
        }
}

/* Holds /etc/.pwd.lock like lckpwdf(): waits up to 15 s. Returns the fd. */
static int lock_passwd(int etcfd) {
        int fd = openat(etcfd, ".pwd.lock", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        for (int i = 0; i < 150; i++) {
                if (fcntl(fd, F_SETLK, &fl) >= 0)
                        return fd;
                if (errno != EAGAIN && errno != EACCES)
                        break;
                nanosleep(&(struct timespec) { .tv_nsec = 100 * 1000 * 1000 }, NULL);
        }
        int q = -errno;
        close(fd);
        return q;
}

/* Creates a missing home directory: made under a temporary name, owned
 * and chmodded, then renamed into place, so a crash never leaves a home
 * owned by root (an existing home is never touched). */
static int create_home(const Root *r, const char *user, const char *home, uid_t uid, gid_t gid) {
        _cleanup_close_ int fd = root_open(r, home, O_PATH, 0);
        if (fd >= 0)
                return 0;
        if (fd != -ENOENT)
                return fd;
        _cleanup_free_ char *parent = xstrdup(home);
        char *slash = strrchr(parent, '/');
        const char *base = home + (slash - parent) + 1;
        *slash = 0;
        if (!*base)
                return -EINVAL;
        _cleanup_close_ int pfd = root_mkdir_p(r, *parent ? parent : "/", 0755);
        if (pfd < 0)
                return pfd;
        _cleanup_free_ char *tmp = xasprintf(TEMP_PREFIX "home-%s", user);
        (void) unlinkat(pfd, tmp, AT_REMOVEDIR); /* left by a crash: empty */
        int q = mkdir_at(pfd, tmp, 0700);
        if (q < 0)
                return q;
        if (fchownat(pfd, tmp, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 || fchmodat(pfd, tmp, 0700, 0) < 0) {
                q = -errno;
                unlinkat(pfd, tmp, AT_REMOVEDIR);
                return q;
        }
        q = rename_at(pfd, tmp, pfd, base, true);
        if (q < 0) {
                unlinkat(pfd, tmp, AT_REMOVEDIR);
                return q;
        }
        return 1;
}

static void db_from(UserDb *db, const Table *users, const Table *groups) {
        for (size_t i = 0; i < users->n; i++)
                table_add(&db->users, users->v[i].name, users->v[i].id, NULL)->gid = users->v[i].gid;
        for (size_t i = 0; i < groups->n; i++)
                table_add(&db->groups, groups->v[i].name, groups->v[i].id, NULL);
}

/* Writes name in dirfd if its content changed. */
static int write_if_changed(int dirfd, const char *name, const char *data, mode_t mode, gid_t gid,
                            UsersStats *st) {
        int q = file_replace_at(dirfd, name, data, strlen(data), mode, 0, gid, true);
        if (q < 0)
                return log_error_errno(q, "Failed to write /etc/%s: %m", name);
        if (q > 0)
                st->files_written++;
        return 0;
}

int users_activate(const Root *r, const Activation *a, UserDb **ret_db, UsersStats *ret_stats) {
        UsersStats st = { 0 };
        Current c = { 0 };
        Table users = { 0 }, groups = { 0 }, shadow = { 0 }, gshadow = { 0 };
        _cleanup_close_ int etcfd = -EBADF, statefd = -EBADF, lockfd = -EBADF;
        _cleanup_free_ char *uid_map = NULL, *gid_map = NULL, *group_s = NULL, *gshadow_s = NULL,
                            *passwd_s = NULL, *shadow_s = NULL;
        int q;
        *ret_db = NULL;

        etcfd = root_mkdir_p(r, "/etc", 0755);
        if (etcfd < 0) {
                q = log_error_errno(etcfd, "Failed to open /etc: %m");
                goto out;
        }
        statefd = root_mkdir_p(r, "/var/lib/firn", 0755);
        if (statefd < 0) {
                q = log_error_errno(statefd, "Failed to open /var/lib/firn: %m");
                goto out;
        }
        lockfd = lock_passwd(etcfd);
        if (lockfd < 0) {
                q = log_error_errno(lockfd, "Failed to lock /etc/.pwd.lock: %m");
                goto out;
        }
        remove_stray_temps(statefd);
        if ((q = load_table(r, "/etc/passwd", KIND_PASSWD, &c.passwd)) < 0 ||
            (q = load_table(r, "/etc/group", KIND_GROUP, &c.group)) < 0 ||
            (q = load_table(r, "/etc/shadow", KIND_SHADOW, &c.shadow)) < 0 ||
            (q = load_table(r, "/etc/gshadow", KIND_GSHADOW, &c.gshadow)) < 0 ||
            (q = load_table(r, "/var/lib/firn/uid-map", KIND_MAP, &c.uid_map)) < 0 ||
            (q = load_table(r, "/var/lib/firn/gid-map", KIND_MAP, &c.gid_map)) < 0) {
                q = log_error_errno(q, "Failed to read the account files: %m");
                goto out;
        }

        plan_groups(a, &c, &groups, &st);
        plan_users(a, &c, &groups, &users, &st);
        plan_shadow(r, a, &c, &users, &shadow);
        plan_gshadow(a, &c, &groups, &gshadow);
        st.users = users.n;
        st.groups = groups.n;

        UserDb *db = xcalloc(1, sizeof(UserDb));
        db_from(db, &users, &groups);
        *ret_db = db;

        Entry *shadow_group = table_find(&groups, "shadow");
        gid_t sgid = shadow_group ? (gid_t) shadow_group->id : 0;
        mode_t smode = shadow_group ? 0640 : 0600;
        /* Maps first: a number must be recorded before anything uses it. */
        uid_map = map_render(&c.uid_map);
        gid_map = map_render(&c.gid_map);
        group_s = table_render(&groups);
        gshadow_s = table_render(&gshadow);
        passwd_s = table_render(&users);
        shadow_s = table_render(&shadow);
        if ((q = file_replace_at(statefd, "uid-map", uid_map, strlen(uid_map), 0644, 0, 0, true)) < 0 ||
            (q = file_replace_at(statefd, "gid-map", gid_map, strlen(gid_map), 0644, 0, 0, true)) < 0) {
                q = log_error_errno(q, "Failed to write /var/lib/firn/uid-map or gid-map: %m");
                goto out;
        }
        if ((q = write_if_changed(etcfd, "group", group_s, 0644, 0, &st)) < 0 ||
            (q = write_if_changed(etcfd, "gshadow", gshadow_s, smode, sgid, &st)) < 0 ||
            (q = write_if_changed(etcfd, "passwd", passwd_s, 0644, 0, &st)) < 0 ||
            (q = write_if_changed(etcfd, "shadow", shadow_s, smode, sgid, &st)) < 0)
                goto out;
        remove_stray_temps(etcfd);

        q = 0;
        for (size_t i = 0; i < a->n_users; i++) {
                const UserSpec *u = &a->users[i];
                Entry *e = table_find(&users, u->name);
                if (!u->create_home || !e)
                        continue;
                int k = create_home(r, u->name, u->home, (uid_t) e->id, (gid_t) e->gid);
                if (k < 0) {
                        log_error_errno(k, "Failed to create home directory %s of %s: %m", u->home, u->name);
                        if (q == 0)
                                q = k;
                } else if (k > 0)
                        st.homes_created++;
        }
out:
        current_release(&c);
        table_release(&users);
        table_release(&groups);
        table_release(&shadow);
        table_release(&gshadow);
        *ret_stats = st;
        return q;
}

int userdb_load(const Root *r, UserDb **ret) {
        UserDb *db = xcalloc(1, sizeof(UserDb));
        int q = load_table(r, "/etc/passwd", KIND_PASSWD, &db->users);
        if (q >= 0)
                q = load_table(r, "/etc/group", KIND_GROUP, &db->groups);
        if (q < 0) {
                userdb_free(db);
                return q;
        }
        *ret = db;
        return 0;
}

static int lookup(const Table *t, const char *name, long long *ret) {
        long long id;
        if (parse_id(name, &id)) {
                *ret = id;
                return 0;
        }
        Entry *e = t ? table_find(t, name) : NULL;
        if (e) {
                *ret = e->id;
                return 0;
        }
        if (strcmp(name, "root") == 0) {
                *ret = 0;
                return 0;
        }
        return -ENOENT;
}

int userdb_uid(const UserDb *db, const char *name, uid_t *ret) {
        long long id;
        int q = lookup(db ? &db->users : NULL, name, &id);
        if (q >= 0)
                *ret = (uid_t) id;
        return q;
}

int userdb_gid(const UserDb *db, const char *name, gid_t *ret) {
        long long id;
        int q = lookup(db ? &db->groups : NULL, name, &id);
        if (q >= 0)
                *ret = (gid_t) id;
        return q;
}

UserDb *userdb_free(UserDb *db) {
        if (!db)
                return NULL;
        table_release(&db->users);
        table_release(&db->groups);
        free(db);
        return NULL;
}
