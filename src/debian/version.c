/* Debian version numbers: see version.h. Written from deb-version(7) and
 * Debian policy 5.6.12; the edge cases of parsing follow dpkg 1.21's
 * parseversion() (lib/dpkg/parsehelp.c). */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "cleanup.h"
#include "version.h"

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static bool upstream_char_ok(char c) {
        return is_digit(c) || is_alpha(c) || (c != '\0' && strchr(".+~-:", c));
}

static bool revision_char_ok(char c) {
        return is_digit(c) || is_alpha(c) || (c != '\0' && strchr(".+~", c));
}

int deb_version_parse(const char *s, size_t len, DebVersion *ret) {
        const char *p, *end, *colon, *hyphen;
        uint64_t epoch = 0;
        DebVersion v;

        /* Blanks at either end are dropped, blanks inside are an error. */
        while (len > 0 && is_blank(s[0])) {
                s++;
                len--;
        }
        while (len > 0 && is_blank(s[len - 1]))
                len--;
        if (len == 0)
                return -EINVAL;
        end = s + len;
        for (p = s; p < end; p++)
                if (is_blank(*p))
                        return -EINVAL;

        /* The epoch is whatever precedes the first colon. */
        colon = memchr(s, ':', len);
        if (colon) {
                if (colon == s)
                        return -EINVAL;
                for (p = s; p < colon; p++) {
                        if (!is_digit(*p))
                                return -EINVAL;
                        epoch = epoch * 10 + (uint64_t) (*p - '0');
                        if (epoch > INT_MAX)
                                return -ERANGE;
                }
                p = colon + 1;
                if (p == end)
                        return -EINVAL;
        } else
                p = s;

        /* The revision is whatever follows the last hyphen. */
        hyphen = NULL;
        for (const char *q = end; q > p; q--)
                if (q[-1] == '-') {
                        hyphen = q - 1;
                        break;
                }

        v = (DebVersion) {
                .epoch = (unsigned) epoch,
                .upstream = p,
                .upstream_len = (size_t) ((hyphen ? hyphen : end) - p),
                .revision = hyphen ? hyphen + 1 : end,
                .revision_len = hyphen ? (size_t) (end - hyphen - 1) : 0,
        };
        if (v.upstream_len == 0)
                return -EINVAL;
        if (hyphen && v.revision_len == 0)
                return -EINVAL;
        for (size_t i = 0; i < v.upstream_len; i++)
                if (!upstream_char_ok(v.upstream[i]))
                        return -EINVAL;
        for (size_t i = 0; i < v.revision_len; i++)
                if (!revision_char_ok(v.revision[i]))
                        return -EINVAL;

        *ret = v;
        return is_digit(v.upstream[0]) ? 0 : 1;
}

/* Rank of a character in a non-digit run; 0 stands for "a digit or the end
 * of the part". '~' sorts before that, letters after it, then everything
 * else (policy: "all the letters sort earlier than all the non-letters"). */
static int char_rank(int c) {
        if (c == '~')
                return -1;
        if (is_alpha((char) c))
                return c;
        return (unsigned char) c + 256;
}

static int sign(int x) {
        return (x > 0) - (x < 0);
}

/* dpkg's comparison of one part (upstream or revision). */
static int compare_part(const char *a, size_t alen, const char *b, size_t blen) {
        size_t i = 0, j = 0;

        while (i < alen || j < blen) {
                /* Non-digit runs, character by character. */
                for (;;) {
                        bool a_in = i < alen && !is_digit(a[i]);
                        bool b_in = j < blen && !is_digit(b[j]);
                        int ra, rb;

                        if (!a_in && !b_in)
                                break;
                        ra = a_in ? char_rank(a[i]) : 0;
                        rb = b_in ? char_rank(b[j]) : 0;
                        if (ra != rb)
                                return sign(ra - rb);
                        /* Equal nonzero ranks: both are in their runs. */
                        i++;
                        j++;
                }

                /* Digit runs, as numbers of any length: drop leading zeros,
                 * then the longer run is the larger number, else the first
                 * differing digit decides. */
                while (i < alen && a[i] == '0')
                        i++;
                while (j < blen && b[j] == '0')
                        j++;
                size_t da = i, db = j;
                while (da < alen && is_digit(a[da]))
                        da++;
                while (db < blen && is_digit(b[db]))
                        db++;
                if (da - i != db - j)
                        return da - i > db - j ? 1 : -1;
                for (; i < da; i++, j++)
                        if (a[i] != b[j])
                                return a[i] > b[j] ? 1 : -1;
        }
        return 0;
}

int deb_version_compare(const DebVersion *a, const DebVersion *b) {
        int r;

        if (a->epoch != b->epoch)
                return a->epoch > b->epoch ? 1 : -1;
        r = compare_part(a->upstream, a->upstream_len, b->upstream, b->upstream_len);
        if (r != 0)
                return r;
        return compare_part(a->revision, a->revision_len, b->revision, b->revision_len);
}

int deb_version_compare_str(const char *a, const char *b, int *ret_cmp) {
        DebVersion va, vb;
        int r;

        r = deb_version_parse(a, strlen(a), &va);
        if (r < 0)
                return r;
        r = deb_version_parse(b, strlen(b), &vb);
        if (r < 0)
                return r;
        *ret_cmp = deb_version_compare(&va, &vb);
        return 0;
}

static const struct {
        const char *op;
        DebRelation rel;
        bool obsolete;
} relation_table[] = {
        { "<<", DEB_RELATION_LT, false },
        { "<=", DEB_RELATION_LE, false },
        { "=",  DEB_RELATION_EQ, false },
        { ">=", DEB_RELATION_GE, false },
        { ">>", DEB_RELATION_GT, false },
        { "<",  DEB_RELATION_LE, true },
        { ">",  DEB_RELATION_GE, true },
};

int deb_relation_parse(const char *s, size_t len, DebRelation *ret) {
        for (size_t i = 0; i < ELEMENTSOF(relation_table); i++)
                if (strlen(relation_table[i].op) == len && memcmp(relation_table[i].op, s, len) == 0) {
                        *ret = relation_table[i].rel;
                        return relation_table[i].obsolete ? 1 : 0;
                }
        return -EINVAL;
}

const char *deb_relation_to_string(DebRelation rel) {
        switch (rel) {
        case DEB_RELATION_NONE:
                return "";
        case DEB_RELATION_LT:
                return "<<";
        case DEB_RELATION_LE:
                return "<=";
        case DEB_RELATION_EQ:
                return "=";
        case DEB_RELATION_GE:
                return ">=";
        case DEB_RELATION_GT:
                return ">>";
        }
        return NULL;
}

bool deb_version_satisfies(const char *version, DebRelation rel, const char *ref) {
        int cmp;

        if (rel == DEB_RELATION_NONE)
                return true;
        if (deb_version_compare_str(version, ref, &cmp) < 0)
                return false;
        switch (rel) {
        case DEB_RELATION_LT:
                return cmp < 0;
        case DEB_RELATION_LE:
                return cmp <= 0;
        case DEB_RELATION_EQ:
                return cmp == 0;
        case DEB_RELATION_GE:
                return cmp >= 0;
        case DEB_RELATION_GT:
                return cmp > 0;
        default:
                return false;
        }
}
