/* gen-tree: write the deterministic test tree of bench/store.
 *
 *   gen-tree DIR SIZE_MIB
 *
 * Creates DIR (which must not exist) holding SIZE_MIB MiB of file contents
 * in a mix of sizes that resembles a package output or a source tree:
 *
 *   - 2 big files, 12% of the bytes each (123 MiB each at 1024 MiB);
 *   - files of 1-10 MiB, 40% of the bytes;
 *   - files of 10 KiB-1 MiB (log-uniform sizes), 28% of the bytes;
 *   - small files of 100 B-10 KiB (log-uniform), 8% of the bytes (about
 *     38,000 files at 1024 MiB);
 *
 * spread over nested directories (up to 6 levels, about 40 files each),
 * with some executables (10% of the files), a few symlinks (relative,
 * absolute and dangling ones), an empty file and an empty directory.
 * About a third of the small files are text, the rest random bytes. The
 * same arguments always give the same tree (a fixed-seed xoshiro256**), so
 * the NAR hash is stable across runs and machines. Prints the number of
 * files, directories and symlinks written. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 6
#define FILES_PER_DIR 40

static uint64_t rng_s[4];

static uint64_t rotl(uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(void) {
        uint64_t r = rotl(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;

        rng_s[2] ^= rng_s[0];
        rng_s[3] ^= rng_s[1];
        rng_s[1] ^= rng_s[2];
        rng_s[0] ^= rng_s[3];
        rng_s[2] ^= t;
        rng_s[3] = rotl(rng_s[3], 45);
        return r;
}

static void rng_seed(uint64_t seed) {
        for (int i = 0; i < 4; i++) { /* splitmix64 */
                uint64_t z = (seed += UINT64_C(0x9e3779b97f4a7c15));
                z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
                z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
                rng_s[i] = z ^ (z >> 31);
        }
}

/* Uniform in [lo, hi]. */
static uint64_t rng_range(uint64_t lo, uint64_t hi) {
        return lo + rng_next() % (hi - lo + 1);
}

/* Log-uniform in [lo, hi]. */
static uint64_t rng_log(uint64_t lo, uint64_t hi) {
        double u = (double) (rng_next() >> 11) / (double) (UINT64_C(1) << 53);
        uint64_t v = (uint64_t) exp(log((double) lo) + u * (log((double) hi) - log((double) lo)));
        return v < lo ? lo : v > hi ? hi : v;
}

static void die(const char *what, const char *path) {
        fprintf(stderr, "gen-tree: %s %s: %s\n", what, path, strerror(errno));
        exit(1);
}

typedef struct Dir {
        char *path;
        int depth;
        unsigned children;
} Dir;

static Dir *dirs;
static size_t n_dirs, cap_dirs;
static unsigned long n_files, n_links;

static const char *const dir_names[] = { "lib", "share", "bin", "include", "doc", "src", "etc", "man",
                                         "locale", "python3", "site-packages", "pkgconfig", "modules" };
static const char *const exts[] = { ".so", ".py", ".h", ".c", ".txt", ".json", ".gz", ".mo", ".html", "", ".a", ".pc" };
static const char *const words[] = { "the ", "store ", "path ", "return ", "static ", "int ", "void ", "const ",
                                     "char ", "size_t ", "if ", "else ", "for ", "while ", "struct ", "{\n",
                                     "}\n", "(", ")", ";\n", "= ", "0 ", "1 ", "nix ", "glibc ", "lib ",
                                     "/nix/store/", "-", "\n" };

static void add_dir(const char *path, int depth) {
        if (n_dirs == cap_dirs) {
                cap_dirs = cap_dirs ? cap_dirs * 2 : 256;
                dirs = realloc(dirs, cap_dirs * sizeof(*dirs));
                if (!dirs)
                        die("out of memory", "");
        }
        if (mkdir(path, 0755) < 0)
                die("mkdir", path);
        dirs[n_dirs++] = (Dir) { .path = strdup(path), .depth = depth };
}

/* A new directory below a random one that is not too deep. */
static void new_dir(void) {
        for (;;) {
                Dir *parent = &dirs[rng_next() % n_dirs];
                if (parent->depth >= MAX_DEPTH)
                        continue;
                char *path;
                if (asprintf(&path, "%s/%s-%u", parent->path, dir_names[rng_next() % (sizeof(dir_names) / sizeof(*dir_names))],
                             parent->children++) < 0)
                        die("out of memory", "");
                add_dir(path, parent->depth + 1);
                free(path);
                return;
        }
}

static uint8_t buf[1 << 20];

static void fill_random(uint8_t *p, size_t n) {
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
                uint64_t v = rng_next();
                memcpy(p + i, &v, 8);
        }
        if (i < n) {
                uint64_t v = rng_next();
                memcpy(p + i, &v, n - i);
        }
}

static void fill_text(uint8_t *p, size_t n) {
        size_t i = 0;
        while (i < n) {
                const char *w = words[rng_next() % (sizeof(words) / sizeof(*words))];
                size_t l = strlen(w);
                if (l > n - i)
                        l = n - i;
                memcpy(p + i, w, l);
                i += l;
        }
}

/* Writes a file of size bytes into a random directory (or dir, if given). */
static void new_file(uint64_t size, bool text, const char *dir, const char *name) {
        if (!dir) {
                /* A new directory every FILES_PER_DIR files or so. */
                if (rng_next() % FILES_PER_DIR == 0)
                        new_dir();
                dir = dirs[rng_next() % n_dirs].path;
        }
        char *path;
        if (name) {
                if (asprintf(&path, "%s/%s", dir, name) < 0)
                        die("out of memory", "");
        } else if (asprintf(&path, "%s/f%06lu%s", dir, n_files,
                            exts[rng_next() % (sizeof(exts) / sizeof(*exts))]) < 0)
                die("out of memory", "");
        mode_t mode = rng_next() % 10 == 0 ? 0755 : 0644;
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0)
                die("create", path);
        while (size > 0) {
                size_t n = size < sizeof(buf) ? (size_t) size : sizeof(buf);
                if (text)
                        fill_text(buf, n);
                else
                        fill_random(buf, n);
                for (size_t off = 0; off < n;) {
                        ssize_t k = write(fd, buf + off, n - off);
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                die("write", path);
                        }
                        off += (size_t) k;
                }
                size -= n;
        }
        if (close(fd) < 0)
                die("close", path);
        /* umask must not decide the mode: it is part of the NAR. */
        if (chmod(path, mode) < 0)
                die("chmod", path);
        free(path);
        n_files++;
}

static void new_symlink(const char *target) {
        Dir *d = &dirs[rng_next() % n_dirs];
        char *path;
        if (asprintf(&path, "%s/link%lu", d->path, n_links) < 0)
                die("out of memory", "");
        if (symlink(target, path) < 0)
                die("symlink", path);
        free(path);
        n_links++;
}

int main(int argc, char **argv) {
        if (argc != 3) {
                fprintf(stderr, "usage: gen-tree DIR SIZE_MIB\n");
                return 2;
        }
        char *end;
        unsigned long mib = strtoul(argv[2], &end, 10);
        if (*end || mib == 0 || mib > 1024 * 1024) {
                fprintf(stderr, "gen-tree: bad size '%s'\n", argv[2]);
                return 2;
        }
        const uint64_t total = (uint64_t) mib << 20;
        rng_seed(UINT64_C(0x6669726e2d737431) ^ mib);
        umask(022);
        add_dir(argv[1], 0);
        for (int i = 0; i < 12; i++)
                new_dir();

        /* Two big files. */
        for (int i = 0; i < 2; i++) {
                char name[32];
                snprintf(name, sizeof(name), "big%d.img", i);
                new_file(total * 12 / 100, false, argv[1], name);
        }
        /* 1-10 MiB files, 40%. */
        for (uint64_t budget = total * 40 / 100; budget > 0;) {
                uint64_t s = rng_range(1 << 20, 10 << 20);
                if (s > budget)
                        s = budget;
                new_file(s, false, NULL, NULL);
                budget -= s;
        }
        /* 10 KiB-1 MiB files, 28%. */
        for (uint64_t budget = total * 28 / 100; budget > 0;) {
                uint64_t s = rng_log(10 << 10, 1 << 20);
                if (s > budget)
                        s = budget;
                new_file(s, false, NULL, NULL);
                budget -= s;
        }
        /* Small files, 8%, a third of them text. */
        for (uint64_t budget = total * 8 / 100; budget > 0;) {
                uint64_t s = rng_log(100, 10 << 10);
                if (s > budget)
                        s = budget;
                new_file(s, rng_next() % 3 == 0, NULL, NULL);
                budget -= s;
        }
        /* Edge cases: an empty file, an empty directory, symlinks. */
        new_file(0, false, argv[1], "empty");
        {
                char *path;
                if (asprintf(&path, "%s/empty-dir", argv[1]) < 0)
                        die("out of memory", "");
                if (mkdir(path, 0755) < 0)
                        die("mkdir", path);
                free(path);
        }
        new_symlink("/nix/store/00000000000000000000000000000000-dangling");
        new_symlink("../big0.img");
        new_symlink("f000003.so");
        new_symlink(".");
        for (int i = 0; i < 16; i++) {
                char target[64];
                snprintf(target, sizeof(target), "../lib-%d/libfoo.so.%d", i, i);
                new_symlink(target);
        }
        printf("%lu files, %zu directories, %lu symlinks, %lu MiB\n", n_files, n_dirs + 1, n_links, mib);
        return 0;
}
