/* The package index apt already fetched: every Packages file under apt's
 * lists directory (default /var/lib/apt/lists), in memory, by name.
 *
 * Files: a name ending in "_Packages" or "_Packages.EXT" (EXT one of gz,
 * xz, lz4, bz2, lzma, zst), read through libarchive's raw format with every
 * filter, so whatever compression apt kept works. apt names a list after its
 * URL: "HOST_PATH_dists_SUITE_COMPONENT_binary-ARCH_Packages[.EXT]", so the
 * suite (bookworm, bookworm-updates, bookworm-security) is the part after
 * "_dists_"; a flat repository's list has suite "". Lists of a foreign
 * architecture (binary-ARCH other than DEB_INDEX_ARCH and "all") are
 * skipped: firn builds amd64 systems, whose "Architecture: all" packages are
 * in the amd64 lists. Files load in the order of their names.
 *
 * Each paragraph must have Package, Version (valid for deb_version_parse())
 * and Architecture; Installed-Size and Size, when present, are decimal
 * numbers; Essential is "yes" or "no"; Multi-Arch is "no", "same",
 * "foreign" or "allowed"; SHA256, when present, is 64 hex digits; Provides
 * parses (deb_depends_parse()) with no alternatives and only '='
 * relations to valid versions. Anything else is an error that names FILE:LINE (see
 * deb822.h for the syntax errors), and loading stops there.
 *
 * Memory: one DebIndex owns everything it returns (packages, strings,
 * provider arrays) in an arena freed at once by deb_index_free(). Only the
 * fields below are kept (copied out of the decompressed text, which is read
 * in pieces and not kept); for Debian 12 main amd64 with its updates and
 * security lists (66,500 paragraphs, 52 MB of text) that is 57 MB.
 * Package names and the short repeated values (Architecture, Section,
 * Priority, suites) are interned: compare them by pointer within one
 * index. A sealed index (below) is read-only: lookups from several threads
 * at once are safe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "deb822.h"

#define DEB_INDEX_LISTS_DIR "/var/lib/apt/lists"
#define DEB_INDEX_ARCH "amd64"

/* Bounds: a decompressed list above DEB_INDEX_FILE_MAX bytes or a single
 * paragraph above DEB_INDEX_PARAGRAPH_MAX bytes is an error (-E2BIG). */
#define DEB_INDEX_FILE_MAX ((uint64_t) 4 << 30)
#define DEB_INDEX_PARAGRAPH_MAX ((size_t) 64 << 20)

typedef enum DebMultiArch {
        DEB_MULTI_ARCH_NO,              /* also when the field is absent */
        DEB_MULTI_ARCH_SAME,
        DEB_MULTI_ARCH_FOREIGN,
        DEB_MULTI_ARCH_ALLOWED,
} DebMultiArch;

/* One paragraph of one list. Every DebSlice is NUL-terminated
 * (ptr[len] == '\0') and owned by the index; an absent field is the empty
 * slice. Dependency fields are kept as written (deb_depends_parse() reads
 * them; its result points at its own copy). */
typedef struct DebPackage {
        const char *name;               /* Package (interned) */
        DebSlice version;
        const char *architecture;       /* interned: "amd64", "all", … */
        DebMultiArch multi_arch;
        bool essential;
        const char *priority;           /* interned; "" when absent */
        const char *section;            /* interned; "" when absent */
        uint64_t installed_size;        /* KiB; 0 when absent */
        uint64_t size;                  /* bytes of the .deb; 0 when absent */
        DebSlice source;                /* "name" or "name (version)" */
        DebSlice filename;              /* relative to the archive root */
        DebSlice sha256;                /* 64 lowercase or uppercase hex digits, or empty */
        DebSlice description;           /* the synopsis: first line only */
        DebSlice depends, pre_depends, recommends, suggests;
        DebSlice provides, conflicts, breaks, replaces;
        const char *suite;              /* interned; see above */
        const char *file;               /* the list's path (shared by its paragraphs) */
        unsigned line;                  /* where the paragraph starts in it */
        const struct DebPackage *next;  /* the next paragraph of the same name, in load order */
} DebPackage;

/* A package whose candidate Provides a name. version is the "(= V)" of the
 * Provides entry (NUL-terminated), NULL when unversioned. */
typedef struct DebProvider {
        const DebPackage *package;
        const char *version;
} DebProvider;

typedef struct DebIndex DebIndex;

/* Loads every Packages list under lists_dir (NULL: DEB_INDEX_LISTS_DIR).
 * Returns 0 and a new index (possibly empty, when there are no lists), or
 * a negative errno: from opening or reading the directory or a file
 * (-ENOENT, -EACCES, …), -EBADMSG for malformed input (a file that does not
 * decompress, a syntax error, a missing or invalid field), -E2BIG for a
 * bound. *ret_error (may be NULL) then gets a malloc'ed message that names
 * the file (and the line where there is one). */
int deb_index_load(const char *lists_dir, DebIndex **ret, char **ret_error);

/* Building an index piece by piece (deb_index_load() is these three):
 * deb_index_new() returns an empty index (NULL only when out of memory);
 * deb_index_add_file() reads one list (any compression), _add_text() the
 * text of one (data[0 .. len), uncompressed); file is what messages and
 * DebPackage.file name, suite the suite of its packages ("" if unknown).
 * Errors as for deb_index_load() (and -EBUSY once sealed); after an error
 * the index keeps the paragraphs added before the bad one, and is still
 * usable.
 * deb_index_seal() picks the candidates and builds the provider lists:
 * call it once after the last add and before any lookup (lookups on an
 * unsealed index find nothing); adding to a sealed index is -EBUSY. It
 * returns 0, or -ENOMEM. */
DebIndex *deb_index_new(void);
int deb_index_add_file(DebIndex *idx, const char *path, const char *suite, char **ret_error);
int deb_index_add_text(DebIndex *idx, const char *data, size_t len, const char *file, const char *suite,
                       char **ret_error);
int deb_index_seal(DebIndex *idx);

DebIndex *deb_index_free(DebIndex *idx);
static inline void deb_index_freep(DebIndex **p) {
        deb_index_free(*p);
}
#define _cleanup_deb_index_ _cleanup_(deb_index_freep)

/* Whether filename (a name in the lists directory, no '/') is a Packages
 * list (see above). If so, sets *ret_suite to its suite (malloc'ed; "" for
 * a flat repository) and *ret_foreign to whether it is a list of another
 * architecture than DEB_INDEX_ARCH and "all"; either may be NULL. */
bool deb_index_list_name(const char *filename, char **ret_suite, bool *ret_foreign);

/* The candidate of name: of its paragraphs, the one with the highest
 * Version (as apt picks among suites of equal pin priority; for equal
 * versions, the first loaded). NULL when no paragraph has that Package
 * (a purely virtual name, or an unknown one). The others follow ->next
 * from deb_index_first(). */
const DebPackage *deb_index_lookup(const DebIndex *idx, const char *name);
const DebPackage *deb_index_first(const DebIndex *idx, const char *name);

/* Number of distinct package names (names with at least one paragraph),
 * and the candidate of the i-th of them in byte order of names (i <
 * deb_index_n_names()): iteration over every name. */
size_t deb_index_n_names(const DebIndex *idx);
const DebPackage *deb_index_candidate_at(const DebIndex *idx, size_t i);

/* Number of paragraphs (all suites) and of lists loaded. */
size_t deb_index_n_packages(const DebIndex *idx);
size_t deb_index_n_files(const DebIndex *idx);

/* The providers of a (typically virtual) name: one entry per candidate
 * whose Provides names it, ordered by the provider's name (one package
 * providing it twice, with two versions, gives two entries). Returns their
 * number and sets *ret to an array owned by the index (NULL when none). A
 * real package does not provide itself: look it up too. */
size_t deb_index_providers(const DebIndex *idx, const char *name, const DebProvider **ret);
