/* The apt package index (index.h) and the deb822 parsers under it
 * (deb822.h): hand-written lists in three suites (index-fixtures/, named on
 * the command line), the same lists compressed every way apt may keep
 * them, malformed input with the exact message for each, lists read in
 * pieces, dependency fields, and the lists apt fetched on this machine
 * (skipped when /var/lib/apt/lists holds no Packages file). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "deb822.h"
#include "fileio.h"
#include "index.h"
#include "strbuf.h"
#include "xalloc.h"

static const char *fixtures;

#define LISTS_BOOKWORM "example.org_debian_dists_bookworm_main_binary-amd64_Packages"
#define LISTS_UPDATES "example.org_debian_dists_bookworm-updates_main_binary-amd64_Packages"
#define LISTS_SECURITY "example.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages"

static char *fixture(const char *rel) {
        return xasprintf("%s/%s", fixtures, rel);
}

static DebIndex *load_ok(const char *dir) {
        DebIndex *idx = NULL;
        _cleanup_free_ char *error = NULL;
        int r = deb_index_load(dir, &idx, &error);
        if (r < 0)
                fail_msg("deb_index_load(%s): %d: %s", dir, r, error ? error : "(no message)");
        return idx;
}

static char *make_tmpdir(void) {
        char *dir = xstrdup("/tmp/test-index-XXXXXX");
        assert_non_null(mkdtemp(dir));
        return dir;
}

static void remove_tmpdir(char **dir) {
        if (*dir) {
                rm_rf(AT_FDCWD, *dir, NULL);
                free(*dir);
        }
}

static char *read_all(const char *path, size_t *ret_len) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        StrBuf sb = STRBUF_INIT;
        char buf[4096];
        size_t n;
        assert_non_null(f);
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                strbuf_add(&sb, buf, n);
        return strbuf_detach(&sb, ret_len);
}

static void write_all(const char *path, const void *data, size_t len) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
}

/* dst = src compressed by libarchive's filter (raw format: no container). */
static void write_compressed(const char *src, const char *dst, const char *filter) {
        size_t len;
        _cleanup_free_ char *data = read_all(src, &len);
        struct archive *a = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        assert_int_equal(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
        assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
        assert_int_equal(archive_write_open_filename(a, dst), ARCHIVE_OK);
        archive_entry_set_pathname(e, "Packages");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t) len);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, data, len), (la_ssize_t) len);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_entry_free(e);
        archive_write_free(a);
}

static void assert_nul_terminated(DebSlice s) {
        assert_non_null(s.ptr);
        assert_int_equal(strlen(s.ptr), s.len);
}

/* ---- File names ----------------------------------------------------------------- */

static void test_list_names(void **state) {
        static const struct {
                const char *name;
                bool list;
                const char *suite;
                bool foreign;
        } cases[] = {
                { "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4", true, "bookworm", false },
                { "deb.debian.org_debian_dists_bookworm-updates_main_binary-amd64_Packages.gz", true,
                  "bookworm-updates", false },
                { "deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages.xz", true,
                  "bookworm-security", false },
                { "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages", true, "bookworm", false },
                { "deb.debian.org_debian_dists_bookworm_main_binary-all_Packages.zst", true, "bookworm", false },
                { "deb.debian.org_debian_dists_bookworm_main_binary-i386_Packages.lz4", true, "bookworm", true },
                { "deb.debian.org_debian_dists_bookworm_main_binary-arm64_Packages", true, "bookworm", true },
                { "example.org_repo_._Packages", true, "", false },
                { "deb.debian.org_debian_dists_bookworm_main_source_Sources.lz4", false, NULL, false },
                { "deb.debian.org_debian_dists_bookworm_InRelease", false, NULL, false },
                { "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.diff_Index", false, NULL, false },
                { "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4.partial", false, NULL,
                  false },
                { "deb.debian.org_debian_dists_bookworm_main_i18n_Translation-en.lz4", false, NULL, false },
                { "lock", false, NULL, false },
                { "partial", false, NULL, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *suite = NULL;
                bool foreign = !cases[i].foreign;
                bool list = deb_index_list_name(cases[i].name, &suite, &foreign);
                if (list != cases[i].list)
                        fail_msg("%s: list %d, expected %d", cases[i].name, list, cases[i].list);
                if (!list)
                        continue;
                assert_string_equal(suite, cases[i].suite);
                if (foreign != cases[i].foreign)
                        fail_msg("%s: foreign %d, expected %d", cases[i].name, foreign, cases[i].foreign);
        }
}

/* ---- The fixture lists ---------------------------------------------------------- */

static void check_fixture_index(const DebIndex *idx, const char *dir, const char *ext) {
        const DebPackage *p, *q;
        const DebProvider *prov;
        _cleanup_free_ char *bookworm_file = xasprintf("%s/%s%s", dir, LISTS_BOOKWORM, ext);
        _cleanup_free_ char *security_file = xasprintf("%s/%s%s", dir, LISTS_SECURITY, ext);

        /* The i386 list, the Sources list and InRelease are not read. */
        assert_int_equal(deb_index_n_files(idx), 3);
        assert_int_equal(deb_index_n_packages(idx), 13);
        assert_int_equal(deb_index_n_names(idx), 9);
        assert_null(deb_index_lookup(idx, "only-in-i386"));
        assert_null(deb_index_lookup(idx, "not-a-binary"));
        assert_null(deb_index_lookup(idx, "nonexistent"));

        /* Every field of one paragraph. */
        p = deb_index_lookup(idx, "base-files");
        assert_non_null(p);
        assert_string_equal(p->name, "base-files");
        assert_string_equal(p->version.ptr, "12.4+deb12u5");
        assert_string_equal(p->architecture, "amd64");
        assert_int_equal(p->multi_arch, DEB_MULTI_ARCH_FOREIGN);
        assert_true(p->essential);
        assert_string_equal(p->priority, "required");
        assert_string_equal(p->section, "admin");
        assert_int_equal(p->installed_size, 343);
        assert_int_equal(p->size, 70716);
        assert_string_equal(p->source.ptr, "");
        assert_string_equal(p->filename.ptr, "pool/main/b/base-files/base-files_12.4+deb12u5_amd64.deb");
        assert_string_equal(p->sha256.ptr, "0f3c7d6b2a1e4f5d6c7b8a9e0f1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5");
        assert_string_equal(p->description.ptr, "Debian base system miscellaneous files");
        assert_string_equal(p->depends.ptr, "");
        assert_string_equal(p->pre_depends.ptr, "awk");
        assert_string_equal(p->provides.ptr, "base");
        assert_string_equal(p->replaces.ptr, "base, dpkg (<= 1.15.0), miscutils");
        assert_string_equal(p->breaks.ptr, "debian-security-support (<< 2019.04.25), initscripts (<< "
                                           "2.88dsf-13.3), sendfile (<< 2.1b.20080616-5.2~)");
        assert_string_equal(p->suite, "bookworm");
        assert_string_equal(p->file, bookworm_file);
        assert_int_equal(p->line, 1);
        assert_null(p->next);
        DebSlice all[] = { p->version, p->source, p->filename, p->sha256, p->description, p->depends,
                           p->pre_depends, p->recommends, p->suggests, p->provides, p->conflicts, p->breaks,
                           p->replaces };
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                assert_nul_terminated(all[i]);

        /* A long description keeps its synopsis; absent fields are empty. */
        p = deb_index_lookup(idx, "hello");
        assert_non_null(p);
        assert_string_equal(p->description.ptr, "example package based on GNU hello");
        assert_false(p->essential);
        assert_int_equal(p->multi_arch, DEB_MULTI_ARCH_NO);
        assert_string_equal(p->depends.ptr, "libc6 (>= 2.34)");
        assert_string_equal(p->conflicts.ptr, "hello-traditional");
        assert_int_equal(p->line, 23);
        /* Interned: one pointer per distinct value. */
        assert_ptr_equal(p->architecture, deb_index_lookup(idx, "base-files")->architecture);
        assert_ptr_equal(p->suite, deb_index_lookup(idx, "base-files")->suite);
        assert_ptr_equal(p->name, deb_index_candidate_at(idx, 2)->name);

        /* In two suites: the highest version wins, even loaded second. */
        p = deb_index_lookup(idx, "libc6");
        assert_non_null(p);
        assert_string_equal(p->version.ptr, "2.36-9+deb12u10");
        assert_string_equal(p->suite, "bookworm");
        assert_string_equal(p->source.ptr, "glibc");
        assert_int_equal(p->multi_arch, DEB_MULTI_ARCH_SAME);
        assert_int_equal(p->line, 45);
        /* Continuation lines (a space and a tab) are kept as written. */
        assert_string_equal(p->breaks.ptr, "aide (<< 0.17.3-4+b3), busybox (<< 1.30.1-6),\n"
                                           " chrony (<< 4.2-3~), fakechroot (<< 2.19-3.5),\n"
                                           "\tfirefox (<< 91~), gnumach-image-1.8-486 (<< 2:1.8+git20210923~)");
        q = deb_index_first(idx, "libc6");
        assert_non_null(q);
        assert_string_equal(q->suite, "bookworm-security"); /* loaded first (file names sort) */
        assert_string_equal(q->version.ptr, "2.36-9+deb12u7");
        assert_string_equal(q->file, security_file);
        assert_ptr_equal(q->next, p);
        assert_null(p->next);

        p = deb_index_lookup(idx, "openssl");
        assert_string_equal(p->version.ptr, "3.0.15-1~deb12u1");
        assert_string_equal(p->suite, "bookworm-security");
        assert_int_equal(p->line, 15);
        p = deb_index_lookup(idx, "tzdata");
        assert_string_equal(p->version.ptr, "2025b-0+deb12u1");
        assert_string_equal(p->suite, "bookworm-updates");
        assert_string_equal(p->architecture, "all");
        /* An epoch is higher than any version without one. */
        assert_string_equal(deb_index_lookup(idx, "gawk")->version.ptr, "1:5.2.1-2");
        /* Equal versions: the first loaded. */
        p = deb_index_lookup(idx, "same-version");
        assert_string_equal(p->suite, "bookworm-updates");
        assert_string_equal(p->description.ptr, "the same version in two suites (from bookworm-updates)");

        /* Virtual packages. */
        assert_null(deb_index_lookup(idx, "awk"));
        assert_int_equal(deb_index_providers(idx, "awk", &prov), 2);
        assert_string_equal(prov[0].package->name, "gawk");
        assert_null(prov[0].version);
        assert_string_equal(prov[1].package->name, "mawk");
        assert_null(prov[1].version);
        assert_int_equal(deb_index_providers(idx, "python3-profiler", &prov), 1);
        assert_string_equal(prov[0].package->name, "python3");
        assert_string_equal(prov[0].version, "3.11.2-1+b1");
        assert_int_equal(deb_index_providers(idx, "python3-supported-max", &prov), 1);
        assert_string_equal(prov[0].version, "3.11");
        assert_int_equal(deb_index_providers(idx, "base", &prov), 1);
        assert_ptr_equal(prov[0].package, deb_index_lookup(idx, "base-files"));
        /* Only candidates provide: bookworm's tzdata did, bookworm-updates' does not. */
        assert_int_equal(deb_index_providers(idx, "tzdata-bookworm", &prov), 0);
        assert_null(prov);
        assert_int_equal(deb_index_providers(idx, "hello", &prov), 0);
        assert_int_equal(deb_index_providers(idx, "nonexistent", &prov), 0);

        /* Iteration: every name once, in order, each its candidate. */
        static const char *const names[] = { "base-files", "gawk", "hello", "libc6", "mawk",
                                             "openssl", "python3", "same-version", "tzdata" };
        for (size_t i = 0; i < deb_index_n_names(idx); i++) {
                p = deb_index_candidate_at(idx, i);
                assert_string_equal(p->name, names[i]);
                assert_ptr_equal(p, deb_index_lookup(idx, names[i]));
        }
        assert_null(deb_index_candidate_at(idx, deb_index_n_names(idx)));
}

static void test_fixture_lists(void **state) {
        _cleanup_free_ char *dir = fixture("lists");
        _cleanup_deb_index_ DebIndex *idx = load_ok(dir);
        check_fixture_index(idx, dir, "");

        /* A dependency field with continuation lines parses. */
        _cleanup_deb_depends_ DebDepends *deps = NULL;
        const DebPackage *p = deb_index_lookup(idx, "libc6");
        assert_int_equal(deb_depends_parse(p->breaks.ptr, p->breaks.len, &deps, NULL), 0);
        assert_int_equal(deps->n_groups, 6);
        assert_string_equal(deps->groups[4].alts[0].name, "firefox");
        assert_string_equal(deps->groups[5].alts[0].version, "2:1.8+git20210923~");
}

/* The same lists, compressed as apt may keep them: same index. */
static void test_compressed_lists(void **state) {
        static const char *const filters[][2] = {
                { "lz4", ".lz4" }, { "gzip", ".gz" }, { "xz", ".xz" }, { "bzip2", ".bz2" }, { "zstd", ".zst" },
        };
        _cleanup_free_ char *src = fixture("lists");

        for (size_t f = 0; f < ELEMENTSOF(filters); f++) {
                _cleanup_(remove_tmpdir) char *dir = make_tmpdir();
                static const char *const lists[] = { LISTS_BOOKWORM, LISTS_UPDATES, LISTS_SECURITY,
                                                     "example.org_debian_dists_bookworm_main_binary-i386_Packages" };
                for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
                        _cleanup_free_ char *from = xasprintf("%s/%s", src, lists[i]);
                        _cleanup_free_ char *to = xasprintf("%s/%s%s", dir, lists[i], filters[f][1]);
                        write_compressed(from, to, filters[f][0]);
                }
                _cleanup_deb_index_ DebIndex *idx = load_ok(dir);
                check_fixture_index(idx, dir, filters[f][1]);
        }
}

static void test_empty_lists(void **state) {
        _cleanup_(remove_tmpdir) char *dir = make_tmpdir();
        _cleanup_free_ char *plain = xasprintf("%s/%s", dir, LISTS_BOOKWORM);
        _cleanup_free_ char *empty_src = xasprintf("%s/empty", dir);
        _cleanup_free_ char *gz = xasprintf("%s/%s.gz", dir, LISTS_UPDATES);
        _cleanup_free_ char *xz = xasprintf("%s/%s.xz", dir, LISTS_SECURITY);

        write_all(plain, "", 0);
        write_all(empty_src, "", 0);
        write_compressed(empty_src, gz, "gzip");
        write_compressed(empty_src, xz, "xz");
        _cleanup_deb_index_ DebIndex *idx = load_ok(dir);
        assert_int_equal(deb_index_n_files(idx), 3);
        assert_int_equal(deb_index_n_packages(idx), 0);
        assert_int_equal(deb_index_n_names(idx), 0);
        assert_null(deb_index_candidate_at(idx, 0));

        /* A directory without lists gives an empty index; a missing one fails. */
        _cleanup_(remove_tmpdir) char *none = make_tmpdir();
        _cleanup_deb_index_ DebIndex *idx2 = load_ok(none);
        assert_int_equal(deb_index_n_files(idx2), 0);
        _cleanup_free_ char *missing = xasprintf("%s/missing", none);
        _cleanup_free_ char *error = NULL;
        DebIndex *idx3 = NULL;
        assert_int_equal(deb_index_load(missing, &idx3, &error), -ENOENT);
        assert_null(idx3);
        assert_non_null(strstr(error, missing));
}

/* ---- Malformed input -------------------------------------------------------------- */

#define GOOD "Package: good\nVersion: 1.0\nArchitecture: amd64\n"

static void test_malformed_text(void **state) {
        static const struct {
                const char *text;
                int r;
                const char *error;
        } cases[] = {
                { "Version: 1.0\nArchitecture: amd64\n", -EBADMSG, "t:1: paragraph without a Package field" },
                { GOOD "\nDescription: x\n\n", -EBADMSG, "t:5: paragraph without a Package field" },
                { "Package:\nVersion: 1\nArchitecture: amd64\n", -EBADMSG, "t:1: paragraph without a Package field" },
                { GOOD "no colon here\n", -EBADMSG,
                  "t:4: expected 'Field: value' or a continuation line, got 'no colon here'" },
                { GOOD "Description: x", -EBADMSG, "t:4: no newline at the end of the last line (truncated file?)" },
                { "Package: cut\nVersion: 1.0\n", -EBADMSG, "t:1: package cut: no Architecture field" },
                { "Package: cut\nArchitecture: amd64\n", -EBADMSG, "t:1: package cut: no Version field" },
                { "Package: crlf\r\nVersion: 1\n", -EBADMSG,
                  "t:1: carriage return at column 14 (CRLF line endings are not allowed)" },
                { GOOD "Description: a\0b\n", -EBADMSG, "t:4: NUL byte at column 15" },
                { " continued\n", -EBADMSG, "t:1: continuation line (starting with a blank) outside a field" },
                { GOOD "\n continued\n", -EBADMSG,
                  "t:5: continuation line (starting with a blank) outside a field" },
                { GOOD "package: again\n", -EBADMSG, "t:4: duplicate field package (first on line 1)" },
                { "# comment\n" GOOD, -EBADMSG, "t:1: comment lines are not allowed here" },
                { GOOD ": value\n", -EBADMSG, "t:4: empty field name" },
                { GOOD "-Field: value\n", -EBADMSG, "t:4: field name '-Field' starts with '-'" },
                { GOOD "Fi\x01ld: value\n", -EBADMSG, "t:4: invalid character 0x01 in field name" },
                { "Package: Bad/Name\nVersion: 1\nArchitecture: amd64\n", -EBADMSG,
                  "t:1: invalid package name 'Bad/Name'" },
                { "Package: v\nVersion: 1.0 beta\nArchitecture: amd64\n", -EBADMSG,
                  "t:2: package v: invalid Version '1.0 beta'" },
                { "Package: v\nVersion: 1:\nArchitecture: amd64\n", -EBADMSG, "t:2: package v: invalid Version '1:'" },
                { "Package: a\nVersion: 1\nArchitecture: AMD 64\n", -EBADMSG,
                  "t:3: package a: invalid Architecture 'AMD 64'" },
                { GOOD "Installed-Size: 12k\n", -EBADMSG, "t:4: package good: Installed-Size '12k' is not a number" },
                { GOOD "Size: 18446744073709551616\n", -EBADMSG,
                  "t:4: package good: Size '18446744073709551616' is not a number" },
                { GOOD "Essential: maybe\n", -EBADMSG, "t:4: package good: Essential is 'maybe', not yes or no" },
                { GOOD "Multi-Arch: any\n", -EBADMSG,
                  "t:4: package good: Multi-Arch is 'any', not no, same, foreign or allowed" },
                { GOOD "SHA256: abc\n", -EBADMSG, "t:4: package good: SHA256 'abc' is not 64 hex digits" },
                { GOOD "Provides: a | b\n", -EBADMSG, "t:4: package good: Provides has alternatives ('|')" },
                { GOOD "Provides: a (>= 1)\n", -EBADMSG, "t:4: package good: Provides a with a relation other than '='" },
                { GOOD "Provides: a (= 1.0 beta)\n", -EBADMSG,
                  "t:4: package good: Provides: expected ')' at offset 9, got 'b'" },
                { GOOD "Provides: a (= 1:)\n", -EBADMSG,
                  "t:4: package good: Provides a with an invalid version '1:'" },
                { GOOD "Provides: a,, b\n", -EBADMSG,
                  "t:4: package good: Provides: expected a package name at offset 2, got ','" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_deb_index_ DebIndex *idx = deb_index_new();
                _cleanup_free_ char *error = NULL;
                size_t len = strlen(cases[i].text);
                if (strstr(cases[i].error, "NUL byte"))
                        len = strlen(cases[i].text) + strlen(cases[i].text + len + 1) + 1;
                int r = deb_index_add_text(idx, cases[i].text, len, "t", "bookworm", &error);
                if (r != cases[i].r || !error || strcmp(error, cases[i].error) != 0)
                        fail_msg("case %zu: %d '%s', expected %d '%s'", i, r, error ? error : "(null)", cases[i].r,
                                 cases[i].error);
        }
}

static void test_bounds(void **state) {
        _cleanup_deb_index_ DebIndex *idx = deb_index_new();
        StrBuf sb = STRBUF_INIT;
        _cleanup_free_ char *error = NULL;

        /* A line of 1 MiB + 1 bytes. */
        strbuf_adds(&sb, GOOD "Description: ");
        for (size_t n = strlen("Description: "); n <= DEB822_VALUE_MAX; n++)
                strbuf_addc(&sb, 'x');
        strbuf_addc(&sb, '\n');
        assert_int_equal(deb_index_add_text(idx, sb.buf, sb.len, "t", "", &error), -E2BIG);
        assert_string_equal(error, "t:4: line longer than 1048576 bytes");
        free(TAKE_PTR(error));

        /* A value of more than 1 MiB over continuation lines. */
        strbuf_reset(&sb);
        strbuf_adds(&sb, GOOD "Description: x\n");
        for (size_t n = 0; n < DEB822_VALUE_MAX / 1024 + 1; n++) {
                strbuf_addc(&sb, ' ');
                for (size_t k = 0; k < 1023; k++)
                        strbuf_addc(&sb, 'y');
                strbuf_addc(&sb, '\n');
        }
        assert_int_equal(deb_index_add_text(idx, sb.buf, sb.len, "t", "", &error), -E2BIG);
        assert_string_equal(error, "t:4: field Description longer than 1048576 bytes");
        free(TAKE_PTR(error));

        /* 257 fields. */
        strbuf_reset(&sb);
        strbuf_adds(&sb, GOOD);
        for (size_t n = 3; n <= DEB822_FIELDS_MAX; n++)
                strbuf_addf(&sb, "X-Field-%zu: %zu\n", n, n);
        assert_int_equal(deb_index_add_text(idx, sb.buf, sb.len, "t", "", &error), -E2BIG);
        assert_string_equal(error, "t:257: more than 256 fields in a paragraph");
        free(TAKE_PTR(error));
        strbuf_release(&sb);

        /* After the errors, the index is still usable. */
        assert_int_equal(deb_index_add_text(idx, GOOD, strlen(GOOD), "t", "", &error), 0);
        assert_int_equal(deb_index_seal(idx), 0);
        assert_non_null(deb_index_lookup(idx, "good"));
}

static void test_malformed_files(void **state) {
        static const struct {
                const char *dir;
                unsigned line;
                const char *error;
        } cases[] = {
                { "bad-truncated", 7, "no newline at the end of the last line (truncated file?)" },
                { "bad-no-package", 7, "paragraph without a Package field" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *dir = fixture(cases[i].dir);
                _cleanup_free_ char *error = NULL;
                _cleanup_free_ char *expected = xasprintf("%s/%s:%u: %s", dir, LISTS_BOOKWORM, cases[i].line,
                                                          cases[i].error);
                DebIndex *idx = NULL;
                assert_int_equal(deb_index_load(dir, &idx, &error), -EBADMSG);
                assert_null(idx);
                assert_string_equal(error, expected);
        }

        /* A list that does not decompress. */
        _cleanup_(remove_tmpdir) char *dir = make_tmpdir();
        _cleanup_free_ char *xz = xasprintf("%s/%s.xz", dir, LISTS_BOOKWORM);
        _cleanup_free_ char *error = NULL;
        DebIndex *idx = NULL;
        write_all(xz, "\xfd" "7zXZ\0garbage garbage", 20);
        assert_int_equal(deb_index_load(dir, &idx, &error), -EBADMSG);
        assert_null(idx);
        assert_true(strncmp(error, xz, strlen(xz)) == 0);
        assert_string_equal(error + strlen(xz), ": Lzma library error: Corrupted input data");
        free(TAKE_PTR(error));

        /* Cut short: compressed data that ends early. */
        _cleanup_free_ char *src = fixture("lists/" LISTS_BOOKWORM);
        _cleanup_free_ char *gz = xasprintf("%s/%s.gz", dir, LISTS_BOOKWORM);
        size_t len;
        unlink(xz);
        write_compressed(src, gz, "gzip");
        _cleanup_free_ char *data = read_all(gz, &len);
        write_all(gz, data, len / 2);
        assert_int_equal(deb_index_load(dir, &idx, &error), -EBADMSG);
        assert_true(strncmp(error, gz, strlen(gz)) == 0);
}

/* A list larger than the pieces it is read in (1 MiB), with a paragraph
 * larger than one piece: line numbers run on across pieces. */
static void test_pieces(void **state) {
        _cleanup_(remove_tmpdir) char *dir = make_tmpdir();
        _cleanup_free_ char *path = xasprintf("%s/%s.gz", dir, LISTS_BOOKWORM);
        _cleanup_free_ char *plain = xasprintf("%s/plain", dir);
        _cleanup_deb_index_ DebIndex *idx = deb_index_new();
        _cleanup_free_ char *error = NULL, *expected = NULL;
        StrBuf sb = STRBUF_INIT;
        unsigned line = 1;

        for (unsigned i = 0; i < 20000; i++) {
                strbuf_addf(&sb, "Package: pkg%u\nVersion: %u.0-1\nArchitecture: amd64\n"
                                 "Description: package number %u\n \n", i, i, i);
                /* "\n \n": a line with only a blank also ends a paragraph. */
                line += 5;
        }
        strbuf_adds(&sb, "Package: big\nVersion: 1\nArchitecture: all\n");
        line += 3;
        for (unsigned k = 0; k < 3; k++) {
                strbuf_addf(&sb, "X-Big-%u: ", k);
                for (size_t n = 0; n < 900 * 1024; n++)
                        strbuf_addc(&sb, 'b');
                strbuf_addc(&sb, '\n');
                line++;
        }
        strbuf_adds(&sb, "\nPackage: last\nVersion: 1\nArchitecture: all\nbroken\n");
        line += 4;
        write_all(plain, sb.buf, sb.len);
        write_compressed(plain, path, "gzip");
        strbuf_release(&sb);

        assert_int_equal(deb_index_add_file(idx, path, "bookworm", &error), -EBADMSG);
        expected = xasprintf("%s:%u: expected 'Field: value' or a continuation line, got 'broken'", path, line);
        assert_string_equal(error, expected);
        assert_int_equal(deb_index_n_packages(idx), 20001);
        assert_int_equal(deb_index_seal(idx), 0);
        assert_string_equal(deb_index_lookup(idx, "pkg19999")->version.ptr, "19999.0-1");
        assert_int_equal(deb_index_lookup(idx, "pkg19999")->line, 19999 * 5 + 1);
        assert_int_equal(deb_index_lookup(idx, "big")->line, 20000 * 5 + 1);
}

static void test_seal(void **state) {
        _cleanup_deb_index_ DebIndex *idx = deb_index_new();
        _cleanup_free_ char *path = fixture("lists/" LISTS_BOOKWORM);
        const DebProvider *prov;

        assert_int_equal(deb_index_add_text(idx, GOOD "Provides: virtual\n", strlen(GOOD) + 18, "t", NULL, NULL), 0);
        /* Before sealing, lookups find nothing. */
        assert_null(deb_index_lookup(idx, "good"));
        assert_int_equal(deb_index_n_names(idx), 0);
        assert_int_equal(deb_index_n_packages(idx), 1);
        assert_int_equal(deb_index_seal(idx), 0);
        assert_int_equal(deb_index_seal(idx), 0);
        assert_string_equal(deb_index_lookup(idx, "good")->suite, "");
        assert_string_equal(deb_index_lookup(idx, "good")->file, "t");
        assert_int_equal(deb_index_providers(idx, "virtual", &prov), 1);
        _cleanup_free_ char *error = NULL;
        assert_int_equal(deb_index_add_text(idx, GOOD, strlen(GOOD), "t", NULL, &error), -EBUSY);
        assert_string_equal(error, "t: the index is sealed: no more lists can be added");
        assert_int_equal(deb_index_add_file(idx, path, "bookworm", NULL), -EBUSY);
}

/* ---- The paragraph parser ---------------------------------------------------------- */

static void test_paragraphs(void **state) {
        static const char text[] =
                "\n \n"
                "Name: value  \n"
                "Empty:\n"
                "Folded:\n"
                "  first\n"
                "\tsecond\t\n"
                " .\n"
                "lower-case:x\n"
                "\t\n"
                "\n"
                "Second: 2\n";
        Deb822Parser *p = xmalloc(sizeof(*p));
        const Deb822Paragraph *para;
        _cleanup_free_ char *error = NULL;

        deb822_parser_init(p, text, strlen(text), "t", 10);
        assert_int_equal(deb822_parser_next(p, &para, &error), 1);
        assert_int_equal(para->line, 12);
        assert_int_equal(para->n_fields, 4);
        assert_true(deb_slice_eq(para->fields[0].name, "Name"));
        assert_true(deb_slice_eq(para->fields[0].value, "value"));
        assert_true(deb_slice_eq(para->fields[1].value, ""));
        assert_int_equal(para->fields[1].line, 13);
        assert_true(deb_slice_eq(para->fields[2].value, "first\n\tsecond\t\n ."));
        assert_true(deb_slice_eq(deb822_value_first_line(para->fields[2].value), "first"));
        assert_true(deb_slice_eq(*deb822_paragraph_get(para, "LOWER-CASE"), "x"));
        assert_null(deb822_paragraph_get(para, "Missing"));
        assert_int_equal(deb822_parser_next(p, &para, &error), 1);
        assert_int_equal(para->line, 21);
        assert_int_equal(para->n_fields, 1);
        assert_true(deb_slice_eq(*deb822_paragraph_get(para, "second"), "2"));
        assert_int_equal(deb822_parser_next(p, &para, &error), 0);
        assert_int_equal(deb822_parser_next(p, &para, &error), 0);
        assert_null(error);

        deb822_parser_init(p, "", 0, "t", 1);
        assert_int_equal(deb822_parser_next(p, &para, &error), 0);
        deb822_parser_init(p, "\n\n\t\n", 4, "t", 1);
        assert_int_equal(deb822_parser_next(p, &para, &error), 0);
        free(p);
}

/* ---- Dependency fields -------------------------------------------------------------- */

static void test_depends(void **state) {
        _cleanup_deb_depends_ DebDepends *d = NULL;
        const char *text = "libc6 (>= 2.34), libgcc-s1 (>= 3.0) | libgcc1,python3:any,\n"
                           " foo:amd64 (<<1:2.0~rc1)|bar(=1.0-1) , old (< 1), older (> 2),"
                           " debhelper-compat (= 13), libfoo-dev [amd64 !i386] <!nocheck> <stage1 !cross>";
        const DebDependAlt *a;

        assert_int_equal(deb_depends_parse(text, strlen(text), &d, NULL), 0);
        assert_int_equal(d->n_groups, 8);
        a = &d->groups[0].alts[0];
        assert_int_equal(d->groups[0].n_alts, 1);
        assert_string_equal(a->name, "libc6");
        assert_null(a->arch);
        assert_int_equal(a->relation, DEB_RELATION_GE);
        assert_string_equal(a->version, "2.34");
        assert_null(a->arch_list);
        assert_null(a->profiles);
        assert_int_equal(d->groups[1].n_alts, 2);
        assert_string_equal(d->groups[1].alts[1].name, "libgcc1");
        assert_int_equal(d->groups[1].alts[1].relation, DEB_RELATION_NONE);
        assert_null(d->groups[1].alts[1].version);
        assert_string_equal(d->groups[2].alts[0].name, "python3");
        assert_string_equal(d->groups[2].alts[0].arch, "any");
        a = &d->groups[3].alts[0];
        assert_int_equal(d->groups[3].n_alts, 2);
        assert_string_equal(a->name, "foo");
        assert_string_equal(a->arch, "amd64");
        assert_int_equal(a->relation, DEB_RELATION_LT);
        assert_string_equal(a->version, "1:2.0~rc1");
        assert_int_equal(d->groups[3].alts[1].relation, DEB_RELATION_EQ);
        assert_string_equal(d->groups[3].alts[1].version, "1.0-1");
        assert_int_equal(d->groups[4].alts[0].relation, DEB_RELATION_LE); /* obsolete '<' */
        assert_int_equal(d->groups[5].alts[0].relation, DEB_RELATION_GE); /* obsolete '>' */
        a = &d->groups[7].alts[0];
        assert_string_equal(a->name, "libfoo-dev");
        assert_string_equal(a->arch_list, "amd64 !i386");
        assert_string_equal(a->profiles, "<!nocheck> <stage1 !cross>");
        d = deb_depends_free(d);

        /* Empty fields have no groups; text need not be NUL-terminated. */
        assert_int_equal(deb_depends_parse(" \n ", 3, &d, NULL), 0);
        assert_int_equal(d->n_groups, 0);
        d = deb_depends_free(d);
        assert_int_equal(deb_depends_parse("abc, def", 3, &d, NULL), 0);
        assert_int_equal(d->n_groups, 1);
        assert_string_equal(d->groups[0].alts[0].name, "abc");
        d = deb_depends_free(d);

        static const struct {
                const char *text;
                const char *error;
        } bad[] = {
                { "a,,b", "expected a package name at offset 2, got ','" },
                { "a,", "expected a package name at offset 2, got the end" },
                { "a |", "expected a package name at offset 3, got the end" },
                { "-a", "expected a package name at offset 0, got '-'" },
                { "a (>= )", "expected a version at offset 6, got ')'" },
                { "a (~ 1)", "expected a relation (<<, <=, =, >=, >>) at offset 3, got '~'" },
                { "a (=< 1)", "expected a relation (<<, <=, =, >=, >>) at offset 3, got '='" },
                { "a (>= 1", "expected ')' at offset 7, got the end" },
                { "a (>= 1 2)", "expected ')' at offset 8, got '2'" },
                { "a b", "expected ',', '|' or the end at offset 2, got 'b'" },
                { "a:", "expected an architecture after ':' at offset 2, got the end" },
                { "a [amd64", "expected ']' at offset 8, got the end" },
                { "a <!nocheck", "expected '>' at offset 11, got the end" },
                { "a (>= 1) (<< 2)", "expected ',', '|' or the end at offset 9, got '('" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *error = NULL;
                int r = deb_depends_parse(bad[i].text, strlen(bad[i].text), &d, &error);
                if (r != -EBADMSG || !error || strcmp(error, bad[i].error) != 0)
                        fail_msg("'%s': %d '%s', expected '%s'", bad[i].text, r, error ? error : "(null)",
                                 bad[i].error);
        }
}

/* ---- The lists apt fetched ------------------------------------------------------------ */

static size_t count_lists(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;
        if (!d)
                return 0;
        while ((de = readdir(d)))
                n += deb_index_list_name(de->d_name, NULL, NULL);
        closedir(d);
        return n;
}

static bool hex64(DebSlice s) {
        if (s.len != 64)
                return false;
        for (size_t i = 0; i < 64; i++)
                if (!strchr("0123456789abcdef", s.ptr[i]))
                        return false;
        return true;
}

static void test_real_lists(void **state) {
        struct timespec t0, t1;
        const DebPackage *p;
        const DebProvider *prov;
        size_t n_deps = 0;

        if (count_lists(DEB_INDEX_LISTS_DIR) == 0)
                skip();
        clock_gettime(CLOCK_MONOTONIC, &t0);
        _cleanup_deb_index_ DebIndex *idx = load_ok(DEB_INDEX_LISTS_DIR);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        print_message("loaded %zu lists, %zu paragraphs, %zu names in %.3f s\n", deb_index_n_files(idx),
                      deb_index_n_packages(idx), deb_index_n_names(idx),
                      (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9);

        assert_true(deb_index_n_names(idx) > 50000);
        assert_true(deb_index_n_packages(idx) >= deb_index_n_names(idx));

        p = deb_index_lookup(idx, "bash");
        assert_non_null(p);
        assert_true(p->essential);
        assert_string_equal(p->architecture, "amd64");
        assert_true(hex64(p->sha256));
        assert_true(p->installed_size > 0 && p->size > 0);
        p = deb_index_lookup(idx, "libc6");
        assert_non_null(p);
        assert_true(hex64(p->sha256));
        assert_int_equal(p->multi_arch, DEB_MULTI_ARCH_SAME);
        assert_true(strncmp(p->filename.ptr, "pool/main/g/glibc/libc6_", 24) == 0);
        assert_non_null(deb_index_lookup(idx, "base-files"));
        assert_true(deb_index_lookup(idx, "base-files")->essential);

        assert_null(deb_index_lookup(idx, "mail-transport-agent"));
        assert_true(deb_index_providers(idx, "mail-transport-agent", &prov) > 1);

        /* Every name in order; every dependency field of every paragraph
         * parses, with valid versions. */
        for (size_t i = 0; i < deb_index_n_names(idx); i++) {
                const DebPackage *c = deb_index_candidate_at(idx, i);
                if (i > 0)
                        assert_true(strcmp(deb_index_candidate_at(idx, i - 1)->name, c->name) < 0);
                for (p = deb_index_first(idx, c->name); p; p = p->next) {
                        const DebSlice *fields[] = { &p->depends, &p->pre_depends, &p->recommends, &p->suggests,
                                                     &p->provides, &p->conflicts, &p->breaks, &p->replaces };
                        DebVersion v;
                        int cmp;
                        assert_int_equal(deb_version_compare_str(p->version.ptr, c->version.ptr, &cmp), 0);
                        assert_true(cmp <= 0); /* the candidate is the highest */
                        for (size_t k = 0; k < ELEMENTSOF(fields); k++) {
                                _cleanup_deb_depends_ DebDepends *d = NULL;
                                _cleanup_free_ char *error = NULL;
                                if (deb_depends_parse(fields[k]->ptr, fields[k]->len, &d, &error) < 0)
                                        fail_msg("%s %s: %s: %s", p->name, p->version.ptr, error, fields[k]->ptr);
                                for (size_t g = 0; g < d->n_groups; g++)
                                        for (size_t a = 0; a < d->groups[g].n_alts; a++) {
                                                const char *ver = d->groups[g].alts[a].version;
                                                if (ver && deb_version_parse(ver, strlen(ver), &v) < 0)
                                                        fail_msg("%s: invalid version '%s'", p->name, ver);
                                                n_deps++;
                                        }
                        }
                }
        }
        assert_true(n_deps > 100000);
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_list_names),
                cmocka_unit_test(test_fixture_lists),
                cmocka_unit_test(test_compressed_lists),
                cmocka_unit_test(test_empty_lists),
                cmocka_unit_test(test_malformed_text),
                cmocka_unit_test(test_bounds),
                cmocka_unit_test(test_malformed_files),
                cmocka_unit_test(test_pieces),
                cmocka_unit_test(test_seal),
                cmocka_unit_test(test_paragraphs),
                cmocka_unit_test(test_depends),
                cmocka_unit_test(test_real_lists),
        };

        if (argc != 2) {
                fprintf(stderr, "usage: %s INDEX-FIXTURES-DIR\n", argv[0]);
                return 2;
        }
        fixtures = argv[1];
        return cmocka_run_group_tests(tests, NULL, NULL);
}
