/* scan-refs: the references-scanning benchmark of bench/store.
 *
 *   scan-refs gen FILE SIZE_MIB   write the test output FILE
 *   scan-refs firn FILE           scan FILE with firn's RefScanner
 *   scan-refs nix FILE            scan FILE with Nix 2.8's algorithm
 *   scan-refs read FILE           only read FILE (the I/O floor)
 *
 * The candidates are 1,000 hash parts (32 Nix base32 characters) drawn
 * from a fixed seed; 100 of them are planted in FILE, spread over it (the
 * last one in its final 64 KiB), each as "/nix/store/HASH-pkgN-1.0/...".
 * The rest of FILE looks like a built output: 4 KiB blocks of random bytes
 * (45%, code and data), zeros (15%), text made of identifiers, C words and
 * store paths of other packages (30%) and base32-dense lists of hashes
 * that are not candidates (10%), e.g. a .drv or a lock file.
 *
 * The scan modes read FILE with read() in 64 KiB chunks (Nix's dump buffer)
 * and feed each chunk to the scanner; they print
 *
 *     SECONDS FOUND FOUND_INDICES_DIGEST
 *
 * where SECONDS is the wall time of the read-and-scan loop only (not the
 * process start or the setup of the 1,000 candidates), FOUND the number of
 * candidates found and the digest an FNV-1a hash of their sorted indices,
 * so the two scanners can be compared. "gen" prints the number of planted
 * candidates and their digest the same way.
 *
 * The "nix" mode is a C transcription of Nix 2.8's src/libstore/
 * references.cc: RefScanSink::operator() searches the concatenation of
 * the previous chunk's tail and the start of the current one, then the
 * chunk; search() walks the data, checks the 32-byte window from its last
 * byte down, skips j + 1 bytes past a non-base32 byte at offset j, and for
 * a window of 32 base32 bytes copies it into a new string (std::string
 * ref(s.substr(i, 32)): 32 bytes is past libstdc++'s small-string buffer,
 * so a malloc and a free) and erases it from the std::set<std::string> of
 * hashes still wanted, moving it to the set of seen ones on success. The
 * std::set is modelled by a sorted array with binary search and memmove
 * on erase: the same comparisons, with better cache behaviour than a
 * red-black tree, so if anything the stand-in is faster than Nix. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "references.h"

#define HLEN 32
#define N_CANDIDATES 1000
#define N_PLANTED 100
#define CHUNK (64 * 1024)
#define BLOCK 4096

static const char base32_chars[] = "0123456789abcdfghijklmnpqrsvwxyz";

/* ---- deterministic random numbers (xoshiro256**, splitmix64 seeding) ---- */

typedef struct Rng {
        uint64_t s[4];
} Rng;

static uint64_t rotl(uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(Rng *g) {
        uint64_t r = rotl(g->s[1] * 5, 7) * 9, t = g->s[1] << 17;

        g->s[2] ^= g->s[0];
        g->s[3] ^= g->s[1];
        g->s[1] ^= g->s[2];
        g->s[0] ^= g->s[3];
        g->s[2] ^= t;
        g->s[3] = rotl(g->s[3], 45);
        return r;
}

static void rng_seed(Rng *g, uint64_t seed) {
        for (int i = 0; i < 4; i++) {
                uint64_t z = (seed += UINT64_C(0x9e3779b97f4a7c15));
                z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
                z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
                g->s[i] = z ^ (z >> 31);
        }
}

static void rand_base32(Rng *g, char *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                p[i] = base32_chars[rng_next(g) % 32];
}

static char candidates[N_CANDIDATES][HLEN];

/* The candidates, and which of them are planted (the first N_PLANTED of a
 * shuffled order), from their own seed: the same in every mode. */
static void make_candidates(size_t planted[N_PLANTED]) {
        Rng g;
        size_t order[N_CANDIDATES];

        rng_seed(&g, UINT64_C(0x63616e6469646174));
        for (size_t i = 0; i < N_CANDIDATES; i++) {
                rand_base32(&g, candidates[i], HLEN);
                order[i] = i;
        }
        for (size_t i = N_CANDIDATES - 1; i > 0; i--) {
                size_t j = rng_next(&g) % (i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
        }
        memcpy(planted, order, N_PLANTED * sizeof(*planted));
}

static int cmp_size(const void *a, const void *b) {
        size_t x = *(const size_t *) a, y = *(const size_t *) b;
        return x < y ? -1 : x > y;
}

/* FNV-1a over the sorted indices. */
static uint64_t digest(size_t *idx, size_t n) {
        uint64_t h = UINT64_C(0xcbf29ce484222325);
        qsort(idx, n, sizeof(*idx), cmp_size);
        for (size_t i = 0; i < n; i++)
                for (int b = 0; b < 8; b++) {
                        h ^= (idx[i] >> (8 * b)) & 0xff;
                        h *= UINT64_C(0x100000001b3);
                }
        return h;
}

static void die(const char *what, const char *path) {
        fprintf(stderr, "scan-refs: %s %s: %s\n", what, path, strerror(errno));
        exit(1);
}

/* ---- gen ---- */

static const char *const words[] = {
        "malloc", "free", "memcpy", "strlen", "__libc_start_main", "GLIBC_2.2.5", "GLIBC_2.34", "libc.so.6",
        "libm.so.6", "libstdc++.so.6", "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE", "main",
        "static", "return", "const", "struct", "int", "void", "unsigned", "size_t", "error", "warning",
        "usage", "version", "config", "--prefix", "/usr/share/locale", "lib", "bin", "share", "include",
        "pkgconfig", "python3.10", "site-packages", "__init__.py", "zlib", "openssl", "sqlite", "x86_64-linux",
        "gnu", "debug", "info", "0.1.0", "2.35", "1.2.13",
};

static void gen_text_block(Rng *g, char *p, size_t n) {
        size_t i = 0;
        while (i < n) {
                char w[128];
                size_t l;
                if (rng_next(g) % 8 == 0) {
                        /* A store path of some other package. */
                        memcpy(w, "/nix/store/", 11);
                        rand_base32(g, w + 11, HLEN);
                        l = 11 + HLEN + (size_t) snprintf(w + 11 + HLEN, sizeof(w) - 11 - HLEN, "-%s-1.0/lib",
                                                          words[rng_next(g) % (sizeof(words) / sizeof(*words))]);
                } else
                        l = (size_t) snprintf(w, sizeof(w), "%s", words[rng_next(g) % (sizeof(words) / sizeof(*words))]);
                w[l++] = "\0\n /_."[rng_next(g) % 6];
                if (l > n - i)
                        l = n - i;
                memcpy(p + i, w, l);
                i += l;
        }
}

static void gen_base32_block(Rng *g, char *p, size_t n) {
        size_t i = 0;
        while (i < n) {
                /* sha256 hashes in base32 (52 characters) and hash parts,
                 * one per line. */
                size_t l = rng_next(g) % 2 ? 52 : HLEN;
                if (l > n - i)
                        l = n - i;
                rand_base32(g, p + i, l);
                i += l;
                if (i < n)
                        p[i++] = '\n';
        }
}

static int cmd_gen(const char *file, const char *size_arg) {
        char *end;
        unsigned long mib = strtoul(size_arg, &end, 10);
        if (*end || mib == 0 || mib > 1024 * 1024) {
                fprintf(stderr, "scan-refs: bad size '%s'\n", size_arg);
                return 2;
        }
        size_t planted[N_PLANTED];
        make_candidates(planted);
        const uint64_t total = (uint64_t) mib << 20;
        /* Offsets of the plants: one in each N_PLANTED-th of the file, at a
         * random place in it; the last one in the final 64 KiB. */
        uint64_t at[N_PLANTED];
        Rng g;
        rng_seed(&g, UINT64_C(0x7265667363616e31) ^ mib);
        for (size_t k = 0; k < N_PLANTED; k++) {
                uint64_t lo = total * k / N_PLANTED, hi = total * (k + 1) / N_PLANTED - 64;
                if (k == N_PLANTED - 1 && lo < total - CHUNK)
                        lo = total - CHUNK;
                at[k] = lo + rng_next(&g) % (hi - lo);
        }

        int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                die("create", file);
        static char buf[1 << 20];
        size_t next = 0;
        for (uint64_t off = 0; off < total; off += sizeof(buf)) {
                size_t n = total - off < sizeof(buf) ? (size_t) (total - off) : sizeof(buf);
                for (size_t b = 0; b < n; b += BLOCK) {
                        char *p = buf + b;
                        size_t m = n - b < BLOCK ? n - b : BLOCK;
                        unsigned kind = (unsigned) (rng_next(&g) % 100);
                        if (kind < 45)
                                for (size_t i = 0; i < m; i += 8) {
                                        uint64_t v = rng_next(&g);
                                        memcpy(p + i, &v, m - i < 8 ? m - i : 8);
                                }
                        else if (kind < 60)
                                memset(p, 0, m);
                        else if (kind < 90)
                                gen_text_block(&g, p, m);
                        else
                                gen_base32_block(&g, p, m);
                }
                /* The plants that fall into this megabyte (each fits in 64
                 * bytes, and is placed at most 64 bytes before the end). */
                while (next < N_PLANTED && at[next] < off + n) {
                        char w[64];
                        int l = snprintf(w, sizeof(w), "/nix/store/%.32s-pkg%zu-1.0/", candidates[planted[next]],
                                         planted[next]);
                        size_t pos = (size_t) (at[next] - off);
                        if (pos + (size_t) l > n)
                                pos = n - (size_t) l;
                        memcpy(buf + pos, w, (size_t) l);
                        next++;
                }
                for (size_t w = 0; w < n;) {
                        ssize_t k = write(fd, buf + w, n - w);
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                die("write", file);
                        }
                        w += (size_t) k;
                }
        }
        if (close(fd) < 0)
                die("close", file);
        printf("planted %d %016llx\n", N_PLANTED, (unsigned long long) digest(planted, N_PLANTED));
        return 0;
}

/* ---- the Nix 2.8 algorithm ---- */

static bool nix_is_base32[256];

typedef struct NixSet { /* std::set<std::string> of 32-byte strings */
        char (*v)[HLEN];
        size_t n;
} NixSet;

static size_t nix_set_find(const NixSet *s, const char *key, bool *ret_found) {
        size_t lo = 0, hi = s->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = memcmp(s->v[mid], key, HLEN);
                if (c == 0) {
                        *ret_found = true;
                        return mid;
                }
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *ret_found = false;
        return lo;
}

static bool nix_set_erase(NixSet *s, const char *key) {
        bool found;
        size_t i = nix_set_find(s, key, &found);
        if (!found)
                return false;
        memmove(s->v[i], s->v[i + 1], (s->n - i - 1) * HLEN);
        s->n--;
        return true;
}

static void nix_set_insert(NixSet *s, const char *key) {
        bool found;
        size_t i = nix_set_find(s, key, &found);
        if (found)
                return;
        memmove(s->v[i + 1], s->v[i], (s->n - i) * HLEN);
        memcpy(s->v[i], key, HLEN);
        s->n++;
}

static void nix_search(const uint8_t *s, size_t len, NixSet *hashes, NixSet *seen) {
        for (size_t i = 0; i + HLEN <= len;) {
                int j;
                bool match = true;
                for (j = HLEN - 1; j >= 0; --j)
                        if (!nix_is_base32[s[i + (size_t) j]]) {
                                i += (size_t) j + 1;
                                match = false;
                                break;
                        }
                if (!match)
                        continue;
                char *ref = malloc(HLEN + 1); /* std::string ref(s.substr(i, refLength)) */
                if (!ref)
                        die("out of memory", "");
                memcpy(ref, s + i, HLEN);
                ref[HLEN] = '\0';
                if (nix_set_erase(hashes, ref))
                        nix_set_insert(seen, ref);
                free(ref);
                ++i;
        }
}

typedef struct NixSink { /* RefScanSink */
        NixSet hashes, seen;
        uint8_t tail[HLEN];
        size_t tail_len;
} NixSink;

static void nix_sink_feed(NixSink *k, const uint8_t *data, size_t len) {
        /* auto s = tail; s.append(data, tailLen): a std::string per chunk. */
        size_t tail_len = len < HLEN ? len : HLEN;
        uint8_t *s = malloc(k->tail_len + tail_len);
        if (!s)
                die("out of memory", "");
        memcpy(s, k->tail, k->tail_len);
        memcpy(s + k->tail_len, data, tail_len);
        nix_search(s, k->tail_len + tail_len, &k->hashes, &k->seen);
        free(s);

        nix_search(data, len, &k->hashes, &k->seen);

        size_t rest = HLEN - tail_len;
        if (rest < k->tail_len) {
                memmove(k->tail, k->tail + k->tail_len - rest, rest);
                k->tail_len = rest;
        }
        memcpy(k->tail + k->tail_len, data + len - tail_len, tail_len);
        k->tail_len += tail_len;
}

/* ---- scanning ---- */

typedef enum Mode { MODE_FIRN, MODE_NIX, MODE_READ } Mode;

static double now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double) t.tv_sec + (double) t.tv_nsec / 1e9;
}

static int cmd_scan(Mode mode, const char *file) {
        size_t planted[N_PLANTED];
        make_candidates(planted);

        RefScanner *firn = NULL;
        NixSink nix = {};
        if (mode == MODE_FIRN) {
                const char *parts[N_CANDIDATES];
                for (size_t i = 0; i < N_CANDIDATES; i++)
                        parts[i] = candidates[i];
                firn = ref_scanner_new(parts, N_CANDIDATES);
                if (!firn)
                        die("out of memory", "");
        } else if (mode == MODE_NIX) {
                for (size_t i = 0; i < sizeof(base32_chars) - 1; i++)
                        nix_is_base32[(uint8_t) base32_chars[i]] = true;
                nix.hashes.v = malloc(N_CANDIDATES * HLEN);
                nix.seen.v = malloc(N_CANDIDATES * HLEN);
                if (!nix.hashes.v || !nix.seen.v)
                        die("out of memory", "");
                for (size_t i = 0; i < N_CANDIDATES; i++)
                        nix_set_insert(&nix.hashes, candidates[i]);
        }

        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                die("open", file);
        static uint8_t buf[CHUNK];
        uint64_t total = 0;
        double t0 = now();
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        die("read", file);
                }
                if (n == 0)
                        break;
                total += (uint64_t) n;
                if (mode == MODE_FIRN)
                        ref_scanner_feed(firn, buf, (size_t) n);
                else if (mode == MODE_NIX)
                        nix_sink_feed(&nix, buf, (size_t) n);
        }
        double secs = now() - t0;
        close(fd);

        size_t found[N_CANDIDATES], n_found = 0;
        for (size_t i = 0; i < N_CANDIDATES; i++) {
                bool f = false;
                if (mode == MODE_FIRN)
                        f = ref_scanner_found(firn, i);
                else if (mode == MODE_NIX) {
                        bool hit;
                        nix_set_find(&nix.seen, candidates[i], &hit);
                        f = hit;
                }
                if (f)
                        found[n_found++] = i;
        }
        printf("%.6f %zu %016llx\n", secs, n_found, (unsigned long long) digest(found, n_found));
        fprintf(stderr, "scan-refs: %llu bytes, %.0f MiB/s\n", (unsigned long long) total,
                (double) total / (1 << 20) / (secs > 0 ? secs : 1e-9));
        ref_scanner_free(firn);
        free(nix.hashes.v);
        free(nix.seen.v);
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 4 && strcmp(argv[1], "gen") == 0)
                return cmd_gen(argv[2], argv[3]);
        if (argc == 3 && strcmp(argv[1], "firn") == 0)
                return cmd_scan(MODE_FIRN, argv[2]);
        if (argc == 3 && strcmp(argv[1], "nix") == 0)
                return cmd_scan(MODE_NIX, argv[2]);
        if (argc == 3 && strcmp(argv[1], "read") == 0)
                return cmd_scan(MODE_READ, argv[2]);
        fprintf(stderr, "usage: scan-refs gen FILE SIZE_MIB | scan-refs firn|nix|read FILE\n");
        return 2;
}
