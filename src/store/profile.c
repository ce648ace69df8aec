/* Profiles and generations (profile.h); Nix 2.8's profiles.cc is the model
 * for what each operation selects. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"
#include "lock.h"
#include "profile.h"
#include "store-db.h"
#include "strbuf.h"
#include "xalloc.h"

static void set_error(char **ret_error, const char *fmt, ...) _printf_(2, 3);
static void set_error(char **ret_error, const char *fmt, ...) {
        if (!ret_error)
                return;
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        *ret_error = strbuf_detach(&sb, NULL);
}

static char *strdup_printf(const char *fmt, ...) _printf_(1, 2);
static char *strdup_printf(const char *fmt, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        return strbuf_detach(&sb, NULL);
}

/* A decimal number without sign or leading zeros ("0" itself is fine),
 * at most UINT_MAX; len bytes of s. */
static bool parse_number(const char *s, size_t len, unsigned *ret) {
        if (len == 0 || len > 10 || (s[0] == '0' && len > 1))
                return false;
        unsigned long long v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        if (v > UINT_MAX)
                return false;
        *ret = (unsigned) v;
        return true;
}

/* N when entry is "NAME-N-link" with N >= 1. */
static bool parse_generation_name(const char *name, const char *entry, unsigned *ret) {
        size_t nl = strlen(name);
        if (strncmp(entry, name, nl) != 0 || entry[nl] != '-')
                return false;
        const char *s = entry + nl + 1;
        size_t sl = strlen(s);
        if (sl <= 5 || strcmp(s + sl - 5, "-link") != 0)
                return false;
        unsigned n;
        if (!parse_number(s, sl - 5, &n) || n == 0)
                return false;
        *ret = n;
        return true;
}

static char *generation_name(const char *name, unsigned number) {
        return strdup_printf("%s-%u-link", name, number);
}

/* An opened profile: its directory, NAME, and the directory's fd. */
typedef struct Profile {
        char *dir;  /* as given ("." when the path has no '/') */
        char *name;
        int dirfd;
        int lock_fd;
} Profile;

static void profile_done(Profile *p) {
        free(p->dir);
        free(p->name);
        if (p->dirfd >= 0)
                close(p->dirfd);
        if (p->lock_fd >= 0)
                close(p->lock_fd); /* releases the lock */
        *p = (Profile) { .dirfd = -EBADF, .lock_fd = -EBADF };
}

/* Opens profile's directory and takes the lock: mode, or for a listing
 * (shared) nothing when the lock file cannot be made in a read-only
 * directory. */
static int profile_open(const char *profile, LockMode mode, bool lock_optional, Profile *ret, char **ret_error) {
        const char *slash = strrchr(profile, '/');
        const char *name = slash ? slash + 1 : profile;
        if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                set_error(ret_error, "invalid profile path '%s'", profile);
                return -EINVAL;
        }
        Profile p = {
                .dir = !slash ? xstrdup(".") : slash == profile ? xstrdup("/") : xstrndup(profile, (size_t) (slash - profile)),
                .name = xstrdup(name),
                .dirfd = -EBADF,
                .lock_fd = -EBADF,
        };
        p.dirfd = open(p.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (p.dirfd < 0) {
                int r = -errno;
                set_error(ret_error, "opening directory '%s': %s", p.dir, strerror(-r));
                profile_done(&p);
                return r;
        }
        _cleanup_free_ char *lock_name = strdup_printf("%s.lock", p.name);
        for (int attempt = 0;; attempt++) {
                p.lock_fd = lock_file(p.dirfd, lock_name, mode, true);
                struct stat st;
                /* nix-env removes its lock files when done: a lock on one
                 * removed meanwhile excludes nobody, so take a new one. */
                if (p.lock_fd < 0 || attempt >= 100 || fstat(p.lock_fd, &st) < 0 || st.st_nlink > 0)
                        break;
                close(p.lock_fd);
        }
        if (p.lock_fd < 0) {
                int r = p.lock_fd;
                if (!(lock_optional && (r == -EACCES || r == -EROFS || r == -EPERM))) {
                        set_error(ret_error, "locking profile '%s': %s", profile, strerror(-r));
                        profile_done(&p);
                        return r;
                }
        }
        *ret = p;
        return 0;
}

GenerationList *generation_list_free(GenerationList *l) {
        if (!l)
                return NULL;
        for (size_t i = 0; i < l->n; i++) {
                free(l->gens[i].link);
                free(l->gens[i].target);
        }
        free(l->gens);
        free(l);
        return NULL;
}

const Generation *generation_list_find(const GenerationList *l, unsigned number) {
        for (size_t i = 0; i < l->n; i++)
                if (l->gens[i].number == number)
                        return &l->gens[i];
        return NULL;
}

static int cmp_generation(const void *a, const void *b) {
        unsigned x = ((const Generation *) a)->number, y = ((const Generation *) b)->number;
        return x < y ? -1 : x > y;
}

/* The generation number profile's symlink names, or 0. */
static unsigned read_current(const Profile *p) {
        _cleanup_free_ char *target = NULL;
        if (read_link(p->dirfd, p->name, &target) < 0)
                return 0;
        const char *base = target;
        const char *slash = strrchr(target, '/');
        if (slash) {
                /* An absolute or relative path into DIR counts too. */
                size_t dl = (size_t) (slash - target);
                if (!(dl == strlen(p->dir) && strncmp(target, p->dir, dl) == 0))
                        return 0;
                base = slash + 1;
        }
        unsigned n;
        return parse_generation_name(p->name, base, &n) ? n : 0;
}

/* Reads the generations of an opened profile. */
static int read_generations(const Profile *p, GenerationList **ret) {
        int dfd = openat(p->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        DIR *d = fdopendir(dfd);
        if (!d) {
                int r = -errno;
                close(dfd);
                return r;
        }
        GenerationList *l = xcalloc(1, sizeof(*l));
        size_t alloc = 0;
        int r = 0;
        for (;;) {
                errno = 0;
                struct dirent *e = readdir(d);
                if (!e) {
                        if (errno != 0)
                                r = -errno;
                        break;
                }
                unsigned n;
                if (!parse_generation_name(p->name, e->d_name, &n))
                        continue;
                struct stat st;
                if (fstatat(p->dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT) /* deleted meanwhile (only by a lock-ignoring process) */
                                continue;
                        r = -errno;
                        break;
                }
                if (!S_ISLNK(st.st_mode))
                        continue;
                char *target = NULL;
                r = read_link(p->dirfd, e->d_name, &target);
                if (r == -ENOENT || r == -EINVAL) {
                        r = 0;
                        continue;
                }
                if (r < 0)
                        break;
                if (l->n == alloc) {
                        alloc = alloc ? alloc * 2 : 16;
                        l->gens = xrealloc(l->gens, alloc * sizeof(*l->gens));
                }
                l->gens[l->n++] = (Generation) {
                        .number = n,
                        .link = strcmp(p->dir, ".") == 0 ? xstrdup(e->d_name)
                                : strcmp(p->dir, "/") == 0 ? strdup_printf("/%s", e->d_name)
                                : strdup_printf("%s/%s", p->dir, e->d_name),
                        .target = target,
                        .creation_time = st.st_mtim.tv_sec,
                };
        }
        closedir(d);
        if (r < 0) {
                generation_list_free(l);
                return r;
        }
        if (l->n > 0)
                qsort(l->gens, l->n, sizeof(*l->gens), cmp_generation);
        l->current = read_current(p);
        *ret = l;
        return 0;
}

int profile_list(const char *profile, GenerationList **ret, char **ret_error) {
        _cleanup_(profile_done) Profile p = { .dirfd = -EBADF, .lock_fd = -EBADF };
        int r = profile_open(profile, LOCK_MODE_SHARED, true, &p, ret_error);
        if (r < 0)
                return r;
        r = read_generations(&p, ret);
        if (r < 0)
                set_error(ret_error, "reading the generations of '%s': %s", profile, strerror(-r));
        return r;
}

/* Points the profile's symlink at generation number, unless it does so
 * already. */
static int switch_link(const Profile *p, unsigned number) {
        _cleanup_free_ char *gen = generation_name(p->name, number);
        _cleanup_free_ char *old = NULL;
        if (read_link(p->dirfd, p->name, &old) >= 0 && strcmp(old, gen) == 0)
                return 0;
        return symlink_atomic(gen, p->dirfd, p->name);
}

/* Whether the real directory dir is state_dir/profiles or below it. */
static bool dir_in_profiles(const Store *store, const char *dir) {
        _cleanup_free_ char *profiles = strdup_printf("%s/profiles", store->state_dir);
        _cleanup_free_ char *a = realpath(profiles, NULL);
        _cleanup_free_ char *b = realpath(dir, NULL);
        if (!a || !b)
                return false;
        size_t al = strlen(a);
        return strncmp(a, b, al) == 0 && (b[al] == 0 || b[al] == '/' || (al == 1 && a[0] == '/'));
}

/* Creates DIR/gen -> target; for a profile outside the state directory's
 * profiles, registers DIR/gen as an indirect root first (under gc.lock
 * shared, so no GC drops the still dangling root in between). */
static int create_generation(Store *store, const Profile *p, const char *gen, const char *target, char **ret_error) {
        struct stat st;
        if (fstatat(p->dirfd, gen, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                set_error(ret_error, "cannot create symlink '%s/%s'; already exists", p->dir, gen);
                return -EEXIST;
        }
        _cleanup_close_ int gc_fd = -EBADF;
        if (store && !dir_in_profiles(store, p->dir)) {
                _cleanup_free_ char *real_dir = realpath(p->dir, NULL);
                if (!real_dir) {
                        int r = -errno;
                        set_error(ret_error, "resolving '%s': %s", p->dir, strerror(-r));
                        return r;
                }
                gc_fd = lock_file(store->state_fd, "gc.lock", LOCK_MODE_SHARED, true);
                if (gc_fd < 0) {
                        set_error(ret_error, "locking the garbage collector: %s", strerror(-gc_fd));
                        return gc_fd;
                }
                _cleanup_free_ char *link = strcmp(real_dir, "/") == 0 ? strdup_printf("/%s", gen)
                                                                      : strdup_printf("%s/%s", real_dir, gen);
                int r = store_add_indirect_root(store, link);
                if (r < 0) {
                        set_error(ret_error, "registering '%s' as a garbage collector root: %s", link, strerror(-r));
                        return r;
                }
        }
        int r = symlink_atomic(target, p->dirfd, gen);
        if (r < 0)
                set_error(ret_error, "creating generation '%s/%s': %s", p->dir, gen, strerror(-r));
        return r;
}

int profile_set(Store *store, const char *profile, const char *target, unsigned *ret_number, bool *ret_created,
                char **ret_error) {
        int r;
        if (store) {
                if (!store_path_base(store, target)) {
                        set_error(ret_error, "path '%s' is not in the Nix store", target);
                        return -EINVAL;
                }
                r = store_add_temp_root(store, target);
                if (r < 0) {
                        set_error(ret_error, "adding a temporary root for '%s': %s", target, strerror(-r));
                        return r;
                }
                r = store_is_valid(store, target);
                if (r < 0) {
                        set_error(ret_error, "querying '%s': %s", target, strerror(-r));
                        return r;
                }
                if (r == 0) {
                        set_error(ret_error, "path '%s' is not valid", target);
                        return -ENOENT;
                }
        } else if (!*target) {
                set_error(ret_error, "empty target for profile '%s'", profile);
                return -EINVAL;
        }

        _cleanup_(profile_done) Profile p = { .dirfd = -EBADF, .lock_fd = -EBADF };
        r = profile_open(profile, LOCK_MODE_EXCLUSIVE, false, &p, ret_error);
        if (r < 0)
                return r;
        struct stat st;
        if (fstatat(p.dirfd, p.name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && !S_ISLNK(st.st_mode)) {
                set_error(ret_error, "profile '%s' exists and is not a symlink", profile);
                return -EEXIST;
        }
        _cleanup_generation_list_free_ GenerationList *l = NULL;
        r = read_generations(&p, &l);
        if (r < 0) {
                set_error(ret_error, "reading the generations of '%s': %s", profile, strerror(-r));
                return r;
        }

        /* As nix-env: a target equal to the newest generation's reuses it,
         * so repeated sets do not pile up generations. */
        unsigned number;
        bool created = false;
        if (l->n > 0 && strcmp(l->gens[l->n - 1].target, target) == 0)
                number = l->gens[l->n - 1].number;
        else {
                unsigned last = l->n > 0 ? l->gens[l->n - 1].number : 0;
                if (last == UINT_MAX) {
                        set_error(ret_error, "profile '%s' has run out of generation numbers", profile);
                        return -EOVERFLOW;
                }
                number = last + 1;
                _cleanup_free_ char *gen = generation_name(p.name, number);
                r = create_generation(store, &p, gen, target, ret_error);
                if (r < 0)
                        return r;
                created = true;
        }
        r = switch_link(&p, number);
        if (r < 0) {
                set_error(ret_error, "switching profile '%s' to generation %u: %s", profile, number, strerror(-r));
                return r;
        }
        if (ret_number)
                *ret_number = number;
        if (ret_created)
                *ret_created = created;
        return 0;
}

int profile_switch(const char *profile, unsigned number, unsigned *ret_from, unsigned *ret_to, char **ret_error) {
        _cleanup_(profile_done) Profile p = { .dirfd = -EBADF, .lock_fd = -EBADF };
        int r = profile_open(profile, LOCK_MODE_EXCLUSIVE, false, &p, ret_error);
        if (r < 0)
                return r;
        _cleanup_generation_list_free_ GenerationList *l = NULL;
        r = read_generations(&p, &l);
        if (r < 0) {
                set_error(ret_error, "reading the generations of '%s': %s", profile, strerror(-r));
                return r;
        }
        const Generation *dst = NULL;
        for (size_t i = 0; i < l->n; i++)
                if (number ? l->gens[i].number == number : l->gens[i].number < l->current)
                        dst = &l->gens[i];
        if (!dst) {
                if (number)
                        set_error(ret_error, "generation %u does not exist", number);
                else
                        set_error(ret_error, "no generation older than the current (%u) exists", l->current);
                return -ENOENT;
        }
        r = switch_link(&p, dst->number);
        if (r < 0) {
                set_error(ret_error, "switching profile '%s' to generation %u: %s", profile, dst->number,
                          strerror(-r));
                return r;
        }
        if (ret_from)
                *ret_from = l->current;
        if (ret_to)
                *ret_to = dst->number;
        return 0;
}

void profile_delete_spec_done(ProfileDeleteSpec *spec) {
        free(spec->numbers);
        *spec = (ProfileDeleteSpec) {};
}

static int cmp_unsigned(const void *a, const void *b) {
        unsigned x = *(const unsigned *) a, y = *(const unsigned *) b;
        return x < y ? -1 : x > y;
}

int profile_delete_spec_parse(char *const *args, size_t n, ProfileDeleteSpec *ret, char **ret_error) {
        ProfileDeleteSpec spec = { .kind = PROFILE_DELETE_NUMBERS };
        const char *a = n == 1 ? args[0] : NULL;
        /* The order of nix-env's tests: "old" holds a 'd' too. */
        if (a && strcmp(a, "old") == 0)
                spec.kind = PROFILE_DELETE_OLD;
        else if (a && strchr(a, 'd')) {
                size_t len = strlen(a);
                if (a[len - 1] != 'd') {
                        set_error(ret_error, "invalid number of days specifier '%s', expected something like '14d'", a);
                        return -EINVAL;
                }
                if (!parse_number(a, len - 1, &spec.days) || spec.days < 1 || spec.days > INT_MAX) {
                        set_error(ret_error, "invalid number of days specifier '%s'", a);
                        return -EINVAL;
                }
                spec.kind = PROFILE_DELETE_DAYS;
        } else if (a && a[0] == '+') {
                if (!a[1]) {
                        set_error(ret_error, "invalid number of generations '%s'", a);
                        return -EINVAL;
                }
                if (!parse_number(a + 1, strlen(a + 1), &spec.keep) || spec.keep == 0) {
                        set_error(ret_error, "invalid number of generations to keep '%s'", a);
                        return -EINVAL;
                }
                spec.kind = PROFILE_DELETE_KEEP;
        } else {
                spec.numbers = n ? xmalloc(n * sizeof(*spec.numbers)) : NULL;
                for (size_t i = 0; i < n; i++) {
                        if (!parse_number(args[i], strlen(args[i]), &spec.numbers[spec.n_numbers])) {
                                set_error(ret_error, "invalid generation number '%s'", args[i]);
                                free(spec.numbers);
                                return -EINVAL;
                        }
                        spec.n_numbers++;
                }
                if (spec.n_numbers > 0) {
                        qsort(spec.numbers, spec.n_numbers, sizeof(*spec.numbers), cmp_unsigned);
                        size_t w = 1;
                        for (size_t i = 1; i < spec.n_numbers; i++)
                                if (spec.numbers[i] != spec.numbers[w - 1])
                                        spec.numbers[w++] = spec.numbers[i];
                        spec.n_numbers = w;
                }
        }
        *ret = spec;
        return 0;
}

int profile_plan_deletions(const GenerationList *l, const ProfileDeleteSpec *spec, time_t now, unsigned **ret,
                           size_t *ret_n, char **ret_error) {
        _cleanup_free_ unsigned *out = l->n ? xmalloc(l->n * sizeof(*out)) : NULL;
        size_t n = 0;
        switch (spec->kind) {
        case PROFILE_DELETE_NUMBERS:
                if (spec->n_numbers == 0)
                        break;
                if (l->current && bsearch(&l->current, spec->numbers, spec->n_numbers, sizeof(unsigned), cmp_unsigned)) {
                        set_error(ret_error, "cannot delete the current generation (%u)", l->current);
                        return -EBUSY;
                }
                for (size_t i = 0; i < l->n; i++)
                        if (bsearch(&l->gens[i].number, spec->numbers, spec->n_numbers, sizeof(unsigned), cmp_unsigned))
                                out[n++] = l->gens[i].number;
                break;
        case PROFILE_DELETE_OLD:
                for (size_t i = 0; i < l->n; i++)
                        if (l->gens[i].number != l->current)
                                out[n++] = l->gens[i].number;
                break;
        case PROFILE_DELETE_KEEP: {
                /* From the newest down: everything newer than the current
                 * stays, then the current and keep-1 before it. */
                bool from_current = false;
                unsigned keep = spec->keep;
                for (size_t i = l->n; i-- > 0;) {
                        const Generation *g = &l->gens[i];
                        if (g->number == l->current) {
                                from_current = true;
                                keep--;
                                continue;
                        }
                        if (!from_current)
                                continue;
                        if (keep > 0) {
                                keep--;
                                continue;
                        }
                        out[n++] = g->number;
                }
                break;
        }
        case PROFILE_DELETE_DAYS: {
                /* From the newest down: the first one created before the
                 * cutoff was the active one at the cutoff and stays; every
                 * older one goes, except the current. */
                time_t cutoff = now - (time_t) spec->days * 24 * 3600;
                bool can_delete = false;
                for (size_t i = l->n; i-- > 0;) {
                        const Generation *g = &l->gens[i];
                        if (can_delete) {
                                if (g->number != l->current)
                                        out[n++] = g->number;
                        } else if (g->creation_time < cutoff)
                                can_delete = true;
                }
                break;
        }
        default:
                return -EINVAL;
        }
        *ret = n ? TAKE_PTR(out) : NULL;
        *ret_n = n;
        return 0;
}

int profile_delete(const char *profile, const ProfileDeleteSpec *spec, bool dry_run, unsigned **ret_deleted,
                   size_t *ret_n, char **ret_error) {
        _cleanup_(profile_done) Profile p = { .dirfd = -EBADF, .lock_fd = -EBADF };
        int r = profile_open(profile, LOCK_MODE_EXCLUSIVE, false, &p, ret_error);
        if (r < 0)
                return r;
        _cleanup_generation_list_free_ GenerationList *l = NULL;
        r = read_generations(&p, &l);
        if (r < 0) {
                set_error(ret_error, "reading the generations of '%s': %s", profile, strerror(-r));
                return r;
        }
        _cleanup_free_ unsigned *plan = NULL;
        size_t n = 0;
        _cleanup_free_ char *error = NULL;
        r = profile_plan_deletions(l, spec, time(NULL), &plan, &n, &error);
        if (r < 0) {
                if (r == -EBUSY)
                        set_error(ret_error, "cannot delete the current generation (%u) of profile '%s'", l->current,
                                  profile);
                else
                        set_error(ret_error, "%s", error ? error : strerror(-r));
                return r;
        }
        if (!dry_run) {
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *gen = generation_name(p.name, plan[i]);
                        r = unlink_at(p.dirfd, gen, 0);
                        if (r < 0 && r != -ENOENT) {
                                set_error(ret_error, "removing '%s/%s': %s", p.dir, gen, strerror(-r));
                                return r;
                        }
                }
                if (n > 0) {
                        r = fd_sync(p.dirfd);
                        if (r < 0) {
                                set_error(ret_error, "syncing '%s': %s", p.dir, strerror(-r));
                                return r;
                        }
                }
        }
        if (ret_deleted)
                *ret_deleted = TAKE_PTR(plan);
        if (ret_n)
                *ret_n = n;
        return 0;
}
