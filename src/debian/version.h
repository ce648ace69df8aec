/* Debian version numbers (deb-version(7), Debian policy 5.6.12): parsing and
 * comparison, giving the same answers as dpkg 1.21 (`dpkg --compare-versions`).
 *
 * A version is [EPOCH ":"] UPSTREAM ["-" REVISION]:
 *
 *   EPOCH     decimal digits, 0 .. INT_MAX (0 when absent). Everything before
 *             the first ':' is the epoch, so a colon in UPSTREAM needs one.
 *   REVISION  everything after the last '-': letters, digits, "+.~".
 *             Absent, it compares exactly like the empty revision, and "0"
 *             compares equal to both ("1.0" = "1.0-0" = "0:1.0").
 *   UPSTREAM  the rest: letters, digits, ".+~-:", non-empty. dpkg warns
 *             about, but accepts, an upstream not starting with a digit;
 *             so does deb_version_parse() (it returns 1 then).
 *
 * Comparison: epochs numerically; then upstream, then revision, each by
 * dpkg's algorithm: alternately the longest non-digit prefix, compared
 * character by character with '~' before everything (even the end of the
 * part), then the end / a digit, then letters (ASCII order), then all other
 * characters (ASCII order); and the longest digit prefix, compared as a
 * number of any length (an empty run is 0; no overflow). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A parsed version. upstream and revision are non-owning slices into the
 * string given to deb_version_parse() (not NUL-terminated at their ends);
 * the DebVersion is valid as long as that string is. An absent revision is
 * revision_len == 0 (revision then points at the end of upstream). */
typedef struct DebVersion {
        unsigned epoch;
        const char *upstream;
        size_t upstream_len;
        const char *revision;
        size_t revision_len;
} DebVersion;

/* Parses s[0 .. len) (need not be NUL-terminated; blanks (space, tab) at
 * either end are skipped, as dpkg does).
 * Returns 0, or 1 if the upstream does not start with a digit (dpkg accepts
 * that with a warning), and fills *ret (slices into s).
 * Returns -EINVAL on: an empty version, embedded blanks, an empty or
 * non-numeric epoch (only digits: no sign), nothing after the epoch's colon,
 * an empty upstream, a '-' with nothing after it, or a character dpkg calls
 * invalid (anything outside letters, digits and ".+~-:" in the upstream,
 * ".+~" in the revision; bytes >= 0x80 and NUL included).
 * Two deliberate differences from dpkg, both on strings no archive holds:
 * dpkg reads the epoch with strtol(), so it lets "+1:1.0" and "-0:1.0"
 * through, firn does not; and dpkg stops at its first complaint, so of
 * "a$b" it only warns that it does not start with a digit, firn rejects
 * the '$' too.
 * Returns -ERANGE if the epoch is above INT_MAX. *ret is untouched on error. */
int deb_version_parse(const char *s, size_t len, DebVersion *ret);

/* Returns < 0, 0 or > 0 (precisely -1, 0, 1) as a sorts before, equal to
 * or after b. A total preorder: equal versions may be spelled differently. */
int deb_version_compare(const DebVersion *a, const DebVersion *b);

/* Parses two NUL-terminated versions and compares them; *ret_cmp is -1, 0
 * or 1. Returns 0, or deb_version_parse()'s error for the first invalid
 * one (*ret_cmp untouched). */
int deb_version_compare_str(const char *a, const char *b, int *ret_cmp);

/* Version relations of Debian dependency fields ("foo (>= 1.0)"). */
typedef enum DebRelation {
        DEB_RELATION_NONE,      /* no version constraint: always satisfied */
        DEB_RELATION_LT,        /* << */
        DEB_RELATION_LE,        /* <= (and the obsolete <) */
        DEB_RELATION_EQ,        /* = */
        DEB_RELATION_GE,        /* >= (and the obsolete >) */
        DEB_RELATION_GT,        /* >> */
} DebRelation;

/* Parses a relation operator s[0 .. len): "<<", "<=", "=", ">=", ">>", and
 * the obsolete "<" (meaning "<=") and ">" (meaning ">="), as dpkg does.
 * Returns 0, or 1 for an obsolete operator (dpkg accepts it with a
 * warning), and sets *ret; -EINVAL for anything else. */
int deb_relation_parse(const char *s, size_t len, DebRelation *ret);

/* The canonical operator ("<<", "<=", "=", ">=", ">>"); "" for
 * DEB_RELATION_NONE, NULL for a value outside the enum. */
const char *deb_relation_to_string(DebRelation rel);

/* Whether `version rel ref` holds (version and ref NUL-terminated), e.g.
 * deb_version_satisfies("1.2-1", DEB_RELATION_GE, "1.0") is true.
 * DEB_RELATION_NONE is always satisfied. Otherwise false if either string
 * is not a valid version (see deb_version_parse()) or rel is not a
 * DebRelation. */
bool deb_version_satisfies(const char *version, DebRelation rel, const char *ref);
