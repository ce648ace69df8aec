#include "references.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store-path.h"

#define HLEN STORE_PATH_HASH_CHARS /* 32: a window, and a hash part */
#define TAIL_MAX (HLEN - 1)
#define NONE UINT32_MAX
/* Candidates beyond this are refused (keeps every size below in range). */
#define CANDIDATES_MAX ((size_t) 1 << 30)

/* The Nix base32 alphabet "0123456789abcdfghijklmnpqrsvwxyz". */
static const bool is_base32[256] = {
        ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true, ['5'] = true, ['6'] = true,
        ['7'] = true, ['8'] = true, ['9'] = true, ['a'] = true, ['b'] = true, ['c'] = true, ['d'] = true,
        ['f'] = true, ['g'] = true, ['h'] = true, ['i'] = true, ['j'] = true, ['k'] = true, ['l'] = true,
        ['m'] = true, ['n'] = true, ['p'] = true, ['q'] = true, ['r'] = true, ['s'] = true, ['v'] = true,
        ['w'] = true, ['x'] = true, ['y'] = true, ['z'] = true,
};

struct RefScanner {
        size_t n;               /* candidates */
        uint32_t *unique_of;    /* [n]: candidate -> distinct hash part, or NONE (not base32) */

        /* The distinct valid hash parts. */
        char (*hashes)[HLEN];   /* [n_unique] */
        uint32_t *multiplicity; /* [n_unique]: candidates with that hash part */
        bool *found;            /* [n_unique] */
        size_t n_unique;
        size_t n_pending;       /* distinct hash parts not found yet */
        size_t n_found;         /* candidates found (with multiplicity) */

        /* Open addressing, linear probing: slot -> distinct hash part, or
         * NONE; fingerprint is window_hash() of the hash part. */
        uint32_t *slot_index;
        uint64_t *slot_hash;
        size_t slot_mask;

        /* One bit per value of the top bits of window_hash(), set for
         * every hash part: most windows stop here, in cache. */
        uint64_t *filter;
        unsigned filter_shift;  /* 64 - log2(filter bits) */

        /* The trailing run of base32 bytes of the stream so far, at most
         * TAIL_MAX bytes: the start of a match the next chunk may finish. */
        uint8_t tail[TAIL_MAX];
        size_t tail_len;
};

static inline uint64_t load64(const void *p) {
        uint64_t v;

        memcpy(&v, p, sizeof(v));
        return v;
}

/* Mixes the first and last 8 bytes of a 32-byte window (hash parts are
 * uniformly random, so that is plenty; two loads keep candidates that share
 * a prefix apart). The top bits are well mixed. */
static inline uint64_t window_hash(const uint8_t *p) {
        return (load64(p) ^ (load64(p + HLEN - 8) * UINT64_C(0x9e3779b97f4a7c15))) * UINT64_C(0xc2b2ae3d27d4eb4f);
}

static inline size_t slot_of(const RefScanner *s, uint64_t h) {
        return (size_t) (h ^ (h >> 29)) & s->slot_mask;
}

static size_t pow2_at_least(size_t v) {
        size_t p = 1;

        while (p < v)
                p <<= 1;
        return p;
}

RefScanner *ref_scanner_new(const char *const *hash_parts, size_t n) {
        size_t slots, filter_bits;
        unsigned log2_bits = 0;
        RefScanner *s;

        if (n > CANDIDATES_MAX)
                return NULL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->n = n;

        slots = pow2_at_least(n * 2 < 16 ? 16 : n * 2);
        /* ~64 bits per candidate: a stray base32 window passes the filter
         * about once in 64 (up to 2^18 candidates; the filter stops growing
         * at 16 Mbit, 2 MiB). At least 512 bits. */
        filter_bits = n >= ((size_t) 1 << 18) ? (size_t) 1 << 24 : pow2_at_least(n * 64);
        if (filter_bits < 512)
                filter_bits = 512;
        while (((size_t) 1 << log2_bits) < filter_bits)
                log2_bits++;
        s->filter_shift = 64 - log2_bits;
        s->slot_mask = slots - 1;

        /* calloc checks the multiplications (size_t may be 32 bits). */
        s->unique_of = calloc(n ? n : 1, sizeof(*s->unique_of));
        s->hashes = calloc(n ? n : 1, sizeof(*s->hashes));
        s->multiplicity = calloc(n ? n : 1, sizeof(*s->multiplicity));
        s->found = calloc(n ? n : 1, sizeof(*s->found));
        s->slot_index = calloc(slots, sizeof(*s->slot_index));
        s->slot_hash = calloc(slots, sizeof(*s->slot_hash));
        s->filter = calloc(filter_bits / 64, sizeof(*s->filter));
        if (!s->unique_of || !s->hashes || !s->multiplicity || !s->found || !s->slot_index || !s->slot_hash ||
            !s->filter)
                return ref_scanner_free(s);
        memset(s->slot_index, 0xff, slots * sizeof(*s->slot_index));

        for (size_t i = 0; i < n; i++) {
                const uint8_t *p = (const uint8_t *) hash_parts[i];
                bool valid = true;
                uint64_t h;
                size_t k;

                for (size_t j = 0; j < HLEN; j++)
                        if (!is_base32[p[j]]) {
                                valid = false;
                                break;
                        }
                if (!valid) {
                        s->unique_of[i] = NONE;
                        continue;
                }

                h = window_hash(p);
                for (k = slot_of(s, h);; k = (k + 1) & s->slot_mask) {
                        uint32_t u = s->slot_index[k];

                        if (u == NONE) {
                                u = (uint32_t) s->n_unique++;
                                memcpy(s->hashes[u], p, HLEN);
                                s->slot_index[k] = u;
                                s->slot_hash[k] = h;
                                s->filter[(h >> s->filter_shift) / 64] |= UINT64_C(1) << ((h >> s->filter_shift) % 64);
                                s->multiplicity[u] = 1;
                                s->unique_of[i] = u;
                                break;
                        }
                        if (s->slot_hash[k] == h && memcmp(s->hashes[u], p, HLEN) == 0) {
                                s->multiplicity[u]++;
                                s->unique_of[i] = u;
                                break;
                        }
                }
        }
        s->n_pending = s->n_unique;
        return s;
}

RefScanner *ref_scanner_free(RefScanner *s) {
        if (!s)
                return NULL;
        free(s->unique_of);
        free(s->hashes);
        free(s->multiplicity);
        free(s->found);
        free(s->slot_index);
        free(s->slot_hash);
        free(s->filter);
        free(s);
        return NULL;
}

/* Looks up the window at p (32 base32 bytes). Returns true when every
 * candidate has now been found. */
static inline bool probe(RefScanner *s, const uint8_t *p) {
        uint64_t h = window_hash(p), bit = h >> s->filter_shift;

        if (_likely_(!(s->filter[bit / 64] & (UINT64_C(1) << (bit % 64)))))
                return false;

        for (size_t k = slot_of(s, h);; k = (k + 1) & s->slot_mask) {
                uint32_t u = s->slot_index[k];

                if (u == NONE)
                        return false;
                if (s->slot_hash[k] != h || memcmp(s->hashes[u], p, HLEN) != 0)
                        continue;
                if (!s->found[u]) {
                        s->found[u] = true;
                        s->n_found += s->multiplicity[u];
                        s->n_pending--;
                }
                return s->n_pending == 0;
        }
}

/* Looks up every 32-byte window of d[0..len) that consists of base32 bytes
 * only (Nix's search()), in linear time: each byte is classified at most
 * once, and a non-base32 byte at d[i + 31] rules out the 32 windows that
 * contain it at once. Stops early when every candidate has been found. */
static void scan(RefScanner *s, const uint8_t *d, size_t len) {
        size_t i = 0; /* next window start; i <= len throughout */

        while (len - i >= HLEN) {
                size_t start, end;

                if (_likely_(!is_base32[d[i + HLEN - 1]])) {
                        i += HLEN;
                        continue;
                }
                /* The base32 run through d[i + 31]: back to its start
                 * (not before i, where no window is left to test) ... */
                start = i + HLEN - 1;
                while (start > i && is_base32[d[start - 1]])
                        start--;
                /* ... and on until it holds a whole window. */
                end = i + HLEN;
                while (end < start + HLEN && end < len && is_base32[d[end]])
                        end++;
                if (end < start + HLEN) {
                        if (end == len)
                                return;
                        i = end + 1; /* past the byte that ends the run */
                        continue;
                }

                /* d[start..start + 32) is a window: test it and every
                 * following one while the run goes on. */
                for (i = start;;) {
                        if (probe(s, d + i))
                                return;
                        i++;
                        if (len - i < HLEN)
                                return;
                        if (!is_base32[d[i + HLEN - 1]]) {
                                i += HLEN;
                                break;
                        }
                }
        }
}

void ref_scanner_feed(RefScanner *s, const void *data, size_t len) {
        const uint8_t *d = data;
        size_t max = len < TAIL_MAX ? len : TAIL_MAX, t;

        if (len == 0 || s->n_pending == 0)
                return;

        /* Windows that start in the tail and end in this chunk. */
        if (s->tail_len > 0) {
                size_t lead = 0;

                while (lead < max && is_base32[d[lead]])
                        lead++;
                if (s->tail_len + lead >= HLEN) {
                        uint8_t buf[2 * TAIL_MAX];

                        memcpy(buf, s->tail, s->tail_len);
                        memcpy(buf + s->tail_len, d, lead);
                        scan(s, buf, s->tail_len + lead);
                        if (s->n_pending == 0)
                                return;
                }
        }

        scan(s, d, len);

        /* The new tail: the stream's trailing base32 run, at most TAIL_MAX
         * bytes. If the whole chunk is base32, the old tail continues. */
        for (t = 0; t < max && is_base32[d[len - 1 - t]]; t++)
                ;
        if (t == len) {
                size_t keep = s->tail_len < TAIL_MAX - t ? s->tail_len : TAIL_MAX - t;

                memmove(s->tail, s->tail + s->tail_len - keep, keep);
                memcpy(s->tail + keep, d, t);
                s->tail_len = keep + t;
        } else {
                memcpy(s->tail, d + len - t, t);
                s->tail_len = t;
        }
}

int ref_scanner_sink(void *userdata, const void *data, size_t len) {
        ref_scanner_feed(userdata, data, len);
        return 0;
}

bool ref_scanner_found(const RefScanner *s, size_t i) {
        if (i >= s->n || s->unique_of[i] == NONE)
                return false;
        return s->found[s->unique_of[i]];
}

size_t ref_scanner_found_count(const RefScanner *s) {
        return s->n_found;
}
