/* builtin:fetchurl called directly: file:// (present, missing), HTTP from
 * a local server (http-server.py, started here on a free port): a plain
 * download, redirects (and a redirect loop), 404 (not retried), 500 twice
 * then success (retried with backoff), a server that never recovers, 429,
 * a refused connection, the executable flag, a wrong declared hash, the
 * urls fallback, progress lines, unpacking a NAR (plain and .xz), and that
 * a failure leaves no output.
 *
 *     test-builtin-fetchurl PATH/TO/http-server.py
 *
 * The HTTP cases are skipped when python3 cannot be started. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "builtin-fetchurl.h"
#include "cleanup.h"
#include "derivation.h"
#include "fileio.h"
#include "hash.h"
#include "nar.h"
#include "store.h"
#include "strbuf.h"
#include "xalloc.h"

#define OUT_PATH "/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-download"
#define DATA "hello from the fetchurl test\n"

static const char *server_script;
static char root[64];
static char *files_dir;     /* what the server serves; file:// URLs point here too */
static pid_t server_pid = -1;
static unsigned port;
static Store *store;
static unsigned counter;

static char *fmt(const char *f, ...) _printf_(1, 2);
static char *fmt(const char *f, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, f);
        strbuf_vaddf(&sb, f, ap);
        va_end(ap);
        return strbuf_detach(&sb, NULL);
}

static void write_data(const char *name, const void *data, size_t len) {
        _cleanup_free_ char *p = fmt("%s/%s", files_dir, name);
        assert_int_equal(write_file_atomic(AT_FDCWD, p, data, len, 0644), 0);
}

static char *sha256_hex(const void *data, size_t len) {
        Hash h;
        hash_buffer(HASH_SHA256, data, len, &h);
        return hash_to_string(&h, HASH_FORMAT_BASE16);
}

/* ---- the server ---- */

static int start_server(void) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                dup2(pipefd[1], STDOUT_FILENO);
                execlp("python3", "python3", server_script, files_dir, (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        /* The port is the first line; the pipe stays open in the server,
         * so read only up to the newline. */
        char buf[32] = { 0 };
        size_t n = 0;
        while (n < sizeof buf - 1 && read(pipefd[0], buf + n, 1) == 1 && buf[n] != '\n')
                n++;
        close(pipefd[0]);
        if (n == 0 || sscanf(buf, "%u", &port) != 1) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return -ENOENT;
        }
        server_pid = pid;
        return 0;
}

static int group_setup(void **state) {
        strcpy(root, "/tmp/firn-test-fetchurl-XXXXXX");
        assert_non_null(mkdtemp(root));
        files_dir = fmt("%s/files", root);
        assert_int_equal(mkdir(files_dir, 0755), 0);
        char *error = NULL;
        assert_int_equal(store_open(root, &store, &error), 0);
        write_data("data", DATA, strlen(DATA));
        /* Tests must not wait long. */
        setenv("FIRN_FETCH_BACKOFF_MS", "10", 1);
        if (server_script && start_server() < 0)
                fprintf(stderr, "# python3 http-server.py did not start; HTTP cases are skipped\n");
        return 0;
}

static int group_teardown(void **state) {
        if (server_pid > 0) {
                kill(server_pid, SIGTERM);
                waitpid(server_pid, NULL, 0);
        }
        store_free(store);
        rm_rf(AT_FDCWD, root, NULL);
        free(files_dir);
        return 0;
}

#define NEED_SERVER()                                 \
        do {                                          \
                if (server_pid <= 0)                  \
                        skip();                       \
        } while (0)

static char *http(const char *path) {
        return fmt("http://127.0.0.1:%u%s", port, path);
}

/* How many requests the server had for path. */
static unsigned requests(const char *path) {
        _cleanup_free_ char *url = fmt("/count%s", path);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        assert_int_equal(connect(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        _cleanup_free_ char *req = fmt("GET %s HTTP/1.0\r\n\r\n", url);
        assert_int_equal(fd_write_all(fd, req, strlen(req)), 0);
        char buf[1024] = { 0 };
        assert_true(fd_read_full(fd, buf, sizeof buf - 1) > 0);
        close(fd);
        char *body = strstr(buf, "\r\n\r\n");
        assert_non_null(body);
        return (unsigned) strtoul(body + 4, NULL, 10);
}

/* ---- running the builtin ---- */

typedef struct Run {
        char *out;     /* host path of the output */
        char *log;     /* what the builtin wrote to the log */
        char *error;
        int r;
} Run;

static void run_done(Run *run) {
        free(run->out);
        free(run->log);
        free(run->error);
}

/* Runs builtin:fetchurl; env is NAME, VALUE, … NULL. hash_algo "" makes
 * the derivation input-addressed. */
static Run fetch(const char *hash_algo, const char *hash_hex, ...) {
        Run run = { .out = fmt("%s/out-%u", root, ++counter) };
        Derivation *drv = drv_new("download");
        drv_set_builder(drv, "builtin:fetchurl");
        drv_set_platform(drv, "builtin");
        drv_set_output(drv, "out", OUT_PATH, hash_algo, hash_hex);
        drv_set_env(drv, "out", OUT_PATH);
        va_list ap;
        va_start(ap, hash_hex);
        for (const char *name; (name = va_arg(ap, const char *));)
                drv_set_env(drv, name, va_arg(ap, const char *));
        va_end(ap);

        _cleanup_free_ char *log_path = fmt("%s/log-%u", root, counter);
        int log_fd = open(log_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(log_fd >= 0);
        char *dirs[] = { run.out, NULL };
        BuiltinContext ctx = {
                .store = store,
                .drv = drv,
                .drv_path = "/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-download.drv",
                .output_dirs = dirs,
                .log_fd = log_fd,
        };
        run.r = builtin_fetchurl(&ctx, &run.error);
        close(log_fd);
        drv_free(drv);
        assert_int_equal(read_file(AT_FDCWD, log_path, 1 << 20, &run.log, NULL), 0);
        if (run.r >= 0)
                assert_null(run.error);
        else {
                assert_non_null(run.error);
                /* Nothing is left behind. */
                struct stat st;
                assert_int_equal(lstat(run.out, &st), -1);
        }
        return run;
}

static void assert_ok(const Run *run) {
        if (run->r < 0)
                fail_msg("fetchurl failed: %s", run->error);
}

static void assert_error_has(const Run *run, const char *s) {
        assert_true(run->r < 0);
        if (!strstr(run->error, s))
                fail_msg("error lacks \"%s\": %s", s, run->error);
}

static void assert_contents(const char *path, const char *want, mode_t mode) {
        _cleanup_free_ char *got = NULL;
        assert_int_equal(read_file(AT_FDCWD, path, 1 << 20, &got, NULL), 0);
        assert_string_equal(got, want);
        struct stat st;
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, mode);
}

/* ---- file:// ---- */

static void test_file_url(void **state) {
        _cleanup_free_ char *url = fmt("file://%s/data", files_dir);
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        assert_ok(&run);
        assert_contents(run.out, DATA, 0644);
        _cleanup_free_ char *line = fmt("downloading '%s'...", url);
        assert_non_null(strstr(run.log, line));
}

static void test_file_url_missing(void **state) {
        _cleanup_free_ char *url = fmt("file://%s/no-such-file", files_dir);
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        assert_int_equal(run.r, -ENOENT);
        _cleanup_free_ char *want = fmt("unable to download '%s'", url);
        assert_error_has(&run, want);
        /* Not transient: no retry. */
        assert_null(strstr(run.error, "attempts"));
        assert_null(strstr(run.log, "retrying"));
}

static void test_executable(void **state) {
        _cleanup_free_ char *url = fmt("file://%s/data", files_dir);
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, "executable", "1", NULL);
        assert_ok(&run);
        assert_contents(run.out, DATA, 0755);
        _cleanup_(run_done) Run run2 = fetch("sha256", hex, "url", url, "executable", "0", NULL);
        assert_ok(&run2);
        assert_contents(run2.out, DATA, 0644);
}

static void test_umask_does_not_matter(void **state) {
        _cleanup_free_ char *url = fmt("file://%s/data", files_dir);
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        mode_t old = umask(077);
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        umask(old);
        assert_ok(&run);
        assert_contents(run.out, DATA, 0644);
}

static void test_hash_mismatch(void **state) {
        _cleanup_free_ char *url = fmt("file://%s/data", files_dir);
        _cleanup_free_ char *wrong = sha256_hex("something else", 14);
        /* One URL: the caller checks the hash (in Nix's words). */
        _cleanup_(run_done) Run run0 = fetch("sha256", wrong, "url", url, NULL);
        assert_ok(&run0);
        /* Several: all but the last are checked here. */
        _cleanup_free_ char *urls = fmt("%s file://%s/no-such-file", url, files_dir);
        _cleanup_(run_done) Run run = fetch("sha256", wrong, "urls", urls, NULL);
        assert_int_equal(run.r, -ENOENT);
        assert_error_has(&run, "hash mismatch in file downloaded from");
        Hash w, g;
        hash_buffer(HASH_SHA256, "something else", 14, &w);
        hash_buffer(HASH_SHA256, DATA, strlen(DATA), &g);
        _cleanup_free_ char *ws = hash_to_string(&w, HASH_FORMAT_SRI);
        _cleanup_free_ char *gs = hash_to_string(&g, HASH_FORMAT_SRI);
        _cleanup_free_ char *spec = fmt("specified: %s", ws);
        _cleanup_free_ char *got = fmt("got:    %s", gs);
        assert_error_has(&run, spec);
        assert_error_has(&run, got);
}

static void test_sha1_and_sha512(void **state) {
        _cleanup_free_ char *url = fmt("file://%s/data", files_dir);
        Hash h;
        hash_buffer(HASH_SHA512, DATA, strlen(DATA), &h);
        _cleanup_free_ char *hex = hash_to_string(&h, HASH_FORMAT_BASE16);
        _cleanup_(run_done) Run run = fetch("sha512", hex, "url", url, NULL);
        assert_ok(&run);
        hash_buffer(HASH_SHA1, DATA, strlen(DATA), &h);
        _cleanup_free_ char *hex1 = hash_to_string(&h, HASH_FORMAT_BASE16);
        _cleanup_(run_done) Run run1 = fetch("sha1", hex1, "url", url, NULL);
        assert_ok(&run1);
}

static void test_attribute_errors(void **state) {
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, NULL);
        assert_int_equal(run.r, -EINVAL);
        assert_string_equal(run.error, "attribute 'url' missing");
        /* Not a fixed-output derivation: refused. */
        _cleanup_free_ char *url = fmt("file://%s/data", files_dir);
        _cleanup_(run_done) Run run2 = fetch("", "", "url", url, NULL);
        assert_int_equal(run2.r, -EINVAL);
        assert_error_has(&run2, "fixed-output");
        /* A protocol that is not allowed. */
        _cleanup_(run_done) Run run3 = fetch("sha256", hex, "url", "gopher://127.0.0.1/x", NULL);
        assert_error_has(&run3, "unable to download 'gopher://127.0.0.1/x'");
}

static void test_urls_fallback(void **state) {
        _cleanup_free_ char *bad = fmt("file://%s/no-such-file", files_dir);
        _cleanup_free_ char *good = fmt("file://%s/data", files_dir);
        _cleanup_free_ char *urls = fmt(" %s\n%s ", bad, good);
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "urls", urls, NULL);
        assert_ok(&run);
        assert_contents(run.out, DATA, 0644);
        /* A wrong file from the first URL: the second one is tried. */
        write_data("other", "other\n", 6);
        _cleanup_free_ char *other = fmt("file://%s/other", files_dir);
        _cleanup_free_ char *urls2 = fmt("%s %s", other, good);
        _cleanup_(run_done) Run run2 = fetch("sha256", hex, "urls", urls2, NULL);
        assert_ok(&run2);
        assert_contents(run2.out, DATA, 0644);
        _cleanup_free_ char *warn = fmt("warning: hash mismatch in file downloaded from '%s'", other);
        assert_non_null(strstr(run2.log, warn));
        /* All fail: every error is reported. */
        _cleanup_free_ char *urls3 = fmt("%s %s", other, bad);
        _cleanup_(run_done) Run run3 = fetch("sha256", hex, "urls", urls3, NULL);
        assert_error_has(&run3, "unable to download");
        assert_error_has(&run3, "hash mismatch");
}

/* ---- HTTP ---- */

static void test_http(void **state) {
        NEED_SERVER();
        _cleanup_free_ char *url = http("/data");
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        assert_ok(&run);
        assert_contents(run.out, DATA, 0644);
}

static void test_http_redirect(void **state) {
        NEED_SERVER();
        _cleanup_free_ char *url = http("/redirect/redirect/data");
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        assert_ok(&run);
        assert_contents(run.out, DATA, 0644);
        /* A redirect to a missing file names both URLs. */
        _cleanup_free_ char *url2 = http("/redirect/missing");
        _cleanup_(run_done) Run run2 = fetch("sha256", hex, "url", url2, NULL);
        _cleanup_free_ char *want = fmt("unable to download '%s' (redirected to 'http://127.0.0.1:%u/missing'): "
                                        "HTTP error 404",
                                        url2, port);
        assert_error_has(&run2, want);
}

static void test_http_redirect_loop(void **state) {
        NEED_SERVER();
        _cleanup_free_ char *url = http("/redirect-loop");
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        _cleanup_free_ char *want = fmt("unable to download '%s'", url);
        assert_error_has(&run, want);
        assert_error_has(&run, "redirect");
        assert_null(strstr(run.error, "attempts"));
}

static void test_http_404(void **state) {
        NEED_SERVER();
        _cleanup_free_ char *url = http("/missing-404");
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        assert_int_equal(run.r, -ENOENT);
        _cleanup_free_ char *want = fmt("unable to download '%s': HTTP error 404", url);
        assert_string_equal(run.error, want);
        assert_int_equal(requests("/missing-404"), 1);
}

static void test_http_500_twice_then_ok(void **state) {
        NEED_SERVER();
        _cleanup_free_ char *url = http("/fail/2/500/data");
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        assert_ok(&run);
        assert_contents(run.out, DATA, 0644);
        assert_int_equal(requests("/fail/2/500/data"), 3);
        _cleanup_free_ char *want = fmt("warning: unable to download '%s': HTTP error 500; retrying in 10 ms", url);
        assert_non_null(strstr(run.log, want));
        _cleanup_free_ char *want2 = fmt("warning: unable to download '%s': HTTP error 500; retrying in 20 ms", url);
        assert_non_null(strstr(run.log, want2));
}

static void test_http_429_then_ok(void **state) {
        NEED_SERVER();
        _cleanup_free_ char *url = http("/fail/1/429/data");
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        assert_ok(&run);
        assert_int_equal(requests("/fail/1/429/data"), 2);
}

static void test_http_never_recovers(void **state) {
        NEED_SERVER();
        setenv("FIRN_FETCH_RETRIES", "2", 1);
        _cleanup_free_ char *url = http("/fail/100/503/data");
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        unsetenv("FIRN_FETCH_RETRIES");
        _cleanup_free_ char *want = fmt("unable to download '%s': HTTP error 503 (after 3 attempts)", url);
        assert_string_equal(run.error, want);
        assert_int_equal(requests("/fail/100/503/data"), 3);
        /* 403 is not transient. */
        _cleanup_free_ char *url2 = http("/fail/100/403/data");
        _cleanup_(run_done) Run run2 = fetch("sha256", hex, "url", url2, NULL);
        assert_error_has(&run2, "HTTP error 403");
        assert_int_equal(requests("/fail/100/403/data"), 1);
}

static void test_connection_refused(void **state) {
        /* A port nobody listens on: bind one, then close it. */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        socklen_t len = sizeof sa;
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
        close(fd);
        _cleanup_free_ char *url = fmt("http://127.0.0.1:%u/data", ntohs(sa.sin_port));
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        setenv("FIRN_FETCH_RETRIES", "1", 1);
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        unsetenv("FIRN_FETCH_RETRIES");
        _cleanup_free_ char *want = fmt("unable to download '%s'", url);
        assert_error_has(&run, want);
        assert_error_has(&run, "(after 2 attempts)");
        assert_non_null(strstr(run.log, "retrying in 10 ms"));
}

static void test_progress(void **state) {
        NEED_SERVER();
        _cleanup_free_ char *url = http("/slow/data");
        _cleanup_free_ char *hex = sha256_hex(DATA, strlen(DATA));
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        assert_ok(&run);
        /* About 1.6 s: the start line and one to three progress lines. */
        _cleanup_free_ char *start = fmt("downloading '%s'...\n", url);
        _cleanup_free_ char *prog = fmt("downloading '%s'... 0.0 MiB", url);
        assert_non_null(strstr(run.log, start));
        unsigned n = 0;
        for (const char *p = run.log; (p = strstr(p, prog)); p++)
                n++;
        assert_in_range(n, 1, 3);
}

/* ---- unpack ---- */

static int strbuf_sink(void *userdata, const void *data, size_t len) {
        strbuf_add(userdata, data, len);
        return 0;
}

/* A NAR of a small tree, its sha256 (hex) and an xz-compressed copy. */
static void make_nar(StrBuf *nar, char **ret_hex, StrBuf *xz) {
        _cleanup_free_ char *tree = fmt("%s/tree", root);
        _cleanup_free_ char *bin = fmt("%s/bin", tree);
        _cleanup_free_ char *file = fmt("%s/bin/hello", tree);
        _cleanup_free_ char *link = fmt("%s/link", tree);
        rm_rf(AT_FDCWD, tree, NULL);
        assert_int_equal(mkdir_p(AT_FDCWD, bin, 0755), 0);
        assert_int_equal(write_file_atomic(AT_FDCWD, file, "#!/bin/sh\n", 10, 0755), 0);
        assert_int_equal(symlink("bin/hello", link), 0);
        char *error = NULL;
        assert_int_equal(nar_dump_path(AT_FDCWD, tree, strbuf_sink, nar, &error), 0);
        *ret_hex = sha256_hex(nar->buf, nar->len);

        struct archive *a = archive_write_new();
        assert_int_equal(archive_write_add_filter_xz(a), ARCHIVE_OK);
        assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
        size_t cap = nar->len + 4096, used = 0;
        char *buf = xmalloc(cap);
        assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t) nar->len);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, nar->buf, nar->len), (la_ssize_t) nar->len);
        archive_entry_free(e);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        strbuf_add(xz, buf, used);
        free(buf);
}

static void assert_tree(const char *out) {
        _cleanup_free_ char *file = fmt("%s/bin/hello", out);
        assert_contents(file, "#!/bin/sh\n", 0755);
        _cleanup_free_ char *link = fmt("%s/link", out), *target = NULL;
        assert_int_equal(read_link(AT_FDCWD, link, &target), 0);
        assert_string_equal(target, "bin/hello");
}

static void test_unpack(void **state) {
        _cleanup_strbuf_ StrBuf nar = STRBUF_INIT;
        _cleanup_strbuf_ StrBuf xz = STRBUF_INIT;
        _cleanup_free_ char *hex = NULL;
        make_nar(&nar, &hex, &xz);
        write_data("tree.nar", nar.buf, nar.len);
        write_data("tree.nar.xz", xz.buf, xz.len);

        _cleanup_free_ char *url = fmt("file://%s/tree.nar", files_dir);
        _cleanup_(run_done) Run run = fetch("r:sha256", hex, "url", url, "unpack", "1", NULL);
        assert_ok(&run);
        assert_tree(run.out);

        _cleanup_free_ char *url_xz = fmt("file://%s/tree.nar.xz", files_dir);
        _cleanup_(run_done) Run run2 = fetch("r:sha256", hex, "url", url_xz, "unpack", "1", NULL);
        assert_ok(&run2);
        assert_tree(run2.out);

        /* A wrong NAR hash, with another URL to go to. */
        _cleanup_free_ char *wrong = sha256_hex("x", 1);
        _cleanup_free_ char *urls = fmt("%s file://%s/no-such-file", url, files_dir);
        _cleanup_(run_done) Run run3 = fetch("r:sha256", wrong, "urls", urls, "unpack", "1", NULL);
        assert_error_has(&run3, "hash mismatch in file downloaded from");

        /* Not a NAR. */
        _cleanup_free_ char *data = fmt("file://%s/data", files_dir);
        _cleanup_(run_done) Run run4 = fetch("r:sha256", hex, "url", data, "unpack", "1", NULL);
        assert_error_has(&run4, "unpacking the NAR from");
        /* Not xz. */
        write_data("bogus.xz", "not xz at all", 13);
        _cleanup_free_ char *bogus = fmt("file://%s/bogus.xz", files_dir);
        _cleanup_(run_done) Run run5 = fetch("r:sha256", hex, "url", bogus, "unpack", "1", NULL);
        assert_error_has(&run5, "unpacking");
}

static void test_big_file(void **state) {
        NEED_SERVER();
        /* 8 MiB through HTTP: streamed, hashed on the way. */
        size_t len = 8u << 20;
        char *big = xmalloc(len);
        for (size_t i = 0; i < len; i++)
                big[i] = (char) (i * 7 + (i >> 13));
        write_data("big", big, len);
        _cleanup_free_ char *hex = sha256_hex(big, len);
        _cleanup_free_ char *url = http("/big");
        _cleanup_(run_done) Run run = fetch("sha256", hex, "url", url, NULL);
        assert_ok(&run);
        Hash h;
        assert_int_equal(hash_file(HASH_SHA256, AT_FDCWD, run.out, &h), 0);
        _cleanup_free_ char *got = hash_to_string(&h, HASH_FORMAT_BASE16);
        assert_string_equal(got, hex);
        free(big);
}

int main(int argc, char **argv) {
        server_script = argc > 1 ? argv[1] : NULL;
        unsetenv("FIRN_FETCH_RETRIES");
        /* No proxy may intercept 127.0.0.1. */
        setenv("no_proxy", "127.0.0.1", 1);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_file_url),
                cmocka_unit_test(test_file_url_missing),
                cmocka_unit_test(test_executable),
                cmocka_unit_test(test_umask_does_not_matter),
                cmocka_unit_test(test_hash_mismatch),
                cmocka_unit_test(test_sha1_and_sha512),
                cmocka_unit_test(test_attribute_errors),
                cmocka_unit_test(test_urls_fallback),
                cmocka_unit_test(test_http),
                cmocka_unit_test(test_http_redirect),
                cmocka_unit_test(test_http_redirect_loop),
                cmocka_unit_test(test_http_404),
                cmocka_unit_test(test_http_500_twice_then_ok),
                cmocka_unit_test(test_http_429_then_ok),
                cmocka_unit_test(test_http_never_recovers),
                cmocka_unit_test(test_connection_refused),
                cmocka_unit_test(test_progress),
                cmocka_unit_test(test_unpack),
                cmocka_unit_test(test_big_file),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
