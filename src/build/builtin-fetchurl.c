/* builtin:fetchurl: one download with libcurl's easy interface, retried
 * with exponential backoff on transient failures (see the header). */
#include <archive.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build-log.h"
#include "builtin-fetchurl.h"
#include "cleanup.h"
#include "derivation.h"
#include "fileio.h"
#include "hash.h"
#include "nar-restore.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

#ifndef FIRN_VERSION
#define FIRN_VERSION "unknown"
#endif

#define FETCH_RETRIES_DEFAULT 5
#define FETCH_RETRIES_MAX 100
#define FETCH_BACKOFF_MS_DEFAULT 250
#define FETCH_BACKOFF_MS_MAX 60000 /* also the longest single wait */
#define FETCH_MAX_REDIRS 10L
/* A transfer slower than 1 byte/s for this long is abandoned (Nix's
 * stalled-download-timeout). */
#define FETCH_STALL_SECONDS 300L
#define PROGRESS_INTERVAL_MS 1000
#define EVENT_INTERVAL_MS 200
#define MIB (1024.0 * 1024.0)

static void log_line(int fd, const char *fmt, ...) _printf_(2, 3);
static void log_line(int fd, const char *fmt, ...) {
        if (fd < 0)
                return;
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        strbuf_addc(&sb, '\n');
        (void) fd_write_all(fd, sb.buf, sb.len);
        strbuf_release(&sb);
}

/* An unsigned number from the environment variable name, at most max;
 * def when unset or malformed. */
static unsigned env_unsigned(const char *name, unsigned def, unsigned max) {
        const char *s = getenv(name);
        if (!s || !*s)
                return def;
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || s[0] == '-')
                return def;
        return v > max ? max : (unsigned) v;
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init(void) {
        curl_init_result = curl_global_init(CURL_GLOBAL_ALL);
}

/* ---- one URL ------------------------------------------------------------ */

typedef struct Download {
        const char *url;
        int log_fd;
        int event_fd;          /* progress events (progress_download_send) */
        int64_t start;         /* now_ms() when the download began */
        int64_t last_event;
        uint64_t expected;     /* Content-Length, once known */
        int fd;               /* where the bytes go */
        HashCtx *hash;        /* NULL: not hashed */
        HashAlgo algo;
        uint64_t received;
        int64_t last_progress; /* now_ms() of the last progress line */
        int write_error;       /* a negative errno from writing, or 0 */
        char errbuf[CURL_ERROR_SIZE];
} Download;

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata) {
        Download *d = userdata;
        size_t len = size * nmemb;
        int r = fd_write_all(d->fd, data, len);
        if (r < 0) {
                d->write_error = r;
                return 0; /* anything but len stops the transfer */
        }
        if (d->hash)
                hash_ctx_update(d->hash, data, len);
        d->received += len;
        return len;
}

static void send_event(Download *d, ProgressDownloadState state) {
        int64_t now = now_ms();
        ProgressDownload ev = {
                .state = state,
                .url = d->url,
                .bytes = d->received,
                .expected = d->expected,
                .usec = (uint64_t) (now - d->start) * 1000u,
        };
        d->last_event = now;
        progress_download_send(d->event_fd, &ev);
}

static int progress_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
        Download *d = userdata;
        int64_t now = now_ms();
        if (dltotal > 0)
                d->expected = (uint64_t) dltotal;
        if (dlnow > 0 && now - d->last_event >= EVENT_INTERVAL_MS)
                send_event(d, PROGRESS_DOWNLOAD_PROGRESS);
        if (now - d->last_progress < PROGRESS_INTERVAL_MS)
                return 0;
        d->last_progress = now;
        if (dltotal > 0)
                log_line(d->log_fd, "downloading '%s'... %.1f MiB of %.1f MiB", d->url, (double) dlnow / MIB,
                         (double) dltotal / MIB);
        else
                log_line(d->log_fd, "downloading '%s'... %.1f MiB", d->url, (double) dlnow / MIB);
        return 0;
}

/* Failures worth another try: the network, or a server that may recover. */
static bool curl_code_transient(CURLcode code) {
        switch (code) {
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return true;
        default:
                return false;
        }
}

static bool http_status_transient(long status) {
        return status >= 500 || status == 408 || status == 429;
}

static CURL *download_handle(Download *d) {
        CURL *curl = curl_easy_init();
        if (!curl)
                return NULL;
        curl_easy_setopt(curl, CURLOPT_URL, d->url);
        curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl, CURLOPT_MAXREDIRS, FETCH_MAX_REDIRS);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps,file");
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp,ftps");
#else
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
                         (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FTP | CURLPROTO_FTPS | CURLPROTO_FILE));
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS,
                         (long) (CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FTP | CURLPROTO_FTPS));
#endif
        curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L); /* no error pages in the output */
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_USERAGENT, "curl/" LIBCURL_VERSION " firn/" FIRN_VERSION);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, FETCH_STALL_SECONDS);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, d->errbuf);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, d);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress_cb);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, d);
        return curl;
}

/* One transfer into d->fd (emptied first). Returns 0, or a negative errno
 * with a message and whether trying again may help. */
static int download_attempt(CURL *curl, Download *d, bool *ret_transient, char **ret_error) {
        *ret_transient = false;
        if (ftruncate(d->fd, 0) < 0 || lseek(d->fd, 0, SEEK_SET) < 0) {
                int r = -errno;
                *ret_error = xasprintf("preparing the download of '%s': %s", d->url, strerror(-r));
                return r;
        }
        if (d->hash) {
                hash_ctx_free(d->hash);
                d->hash = hash_ctx_new(d->algo);
        }
        d->received = 0;
        d->write_error = 0;
        d->errbuf[0] = 0;

        CURLcode code = curl_easy_perform(curl);
        if (d->write_error < 0) {
                *ret_error = xasprintf("writing the download of '%s': %s", d->url, strerror(-d->write_error));
                return d->write_error;
        }
        if (code == CURLE_OK)
                return 0;

        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "unable to download '%s'", d->url);
        char *effective = NULL;
        if (curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective &&
            strcmp(effective, d->url) != 0)
                strbuf_addf(&sb, " (redirected to '%s')", effective);
        int r = -EIO;
        if (code == CURLE_HTTP_RETURNED_ERROR) {
                long status = 0;
                curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
                strbuf_addf(&sb, ": HTTP error %ld", status);
                *ret_transient = http_status_transient(status);
                if (status == 404 || status == 410)
                        r = -ENOENT;
        } else {
                strbuf_addf(&sb, ": %s", d->errbuf[0] ? d->errbuf : curl_easy_strerror(code));
                *ret_transient = curl_code_transient(code);
                if (code == CURLE_FILE_COULDNT_READ_FILE || code == CURLE_REMOTE_FILE_NOT_FOUND)
                        r = -ENOENT;
        }
        *ret_error = strbuf_detach(&sb, NULL);
        return r;
}

/* Downloads d->url into d->fd, retrying transient failures. */
static int download(Download *d, char **ret_error) {
        unsigned retries = env_unsigned("FIRN_FETCH_RETRIES", FETCH_RETRIES_DEFAULT, FETCH_RETRIES_MAX);
        unsigned backoff = env_unsigned("FIRN_FETCH_BACKOFF_MS", FETCH_BACKOFF_MS_DEFAULT, FETCH_BACKOFF_MS_MAX);

        CURL *curl = download_handle(d);
        if (!curl) {
                *ret_error = xasprintf("unable to download '%s': cannot set up libcurl", d->url);
                return -ENOMEM;
        }
        log_line(d->log_fd, "downloading '%s'...", d->url);
        d->last_progress = d->start = d->last_event = now_ms();
        send_event(d, PROGRESS_DOWNLOAD_QUEUED);
        send_event(d, PROGRESS_DOWNLOAD_STARTED);

        int r;
        unsigned attempt = 0;
        for (;; attempt++) {
                bool transient;
                char *error = NULL;
                r = download_attempt(curl, d, &transient, &error);
                if (r >= 0)
                        break;
                if (!transient || attempt >= retries) {
                        if (attempt > 0) {
                                *ret_error = xasprintf("%s (after %u attempts)", error, attempt + 1);
                                free(error);
                        } else
                                *ret_error = error;
                        break;
                }
                unsigned long long wait = (unsigned long long) backoff << (attempt < 16 ? attempt : 16);
                if (wait > FETCH_BACKOFF_MS_MAX)
                        wait = FETCH_BACKOFF_MS_MAX;
                log_line(d->log_fd, "warning: %s; retrying in %llu ms", error, wait);
                free(error);
                sleep_ms((unsigned) wait);
        }
        curl_easy_cleanup(curl);
        send_event(d, r < 0 ? PROGRESS_DOWNLOAD_FAILED : PROGRESS_DOWNLOAD_DONE);
        return r;
}

/* ---- unpacking ---------------------------------------------------------- */

typedef struct UnpackSource {
        int fd;
        struct archive *xz; /* NULL: the NAR is read as it is */
        char *error;        /* libarchive's message */
} UnpackSource;

static ssize_t unpack_read(void *userdata, void *buf, size_t len) {
        UnpackSource *s = userdata;
        if (!s->xz) {
                ssize_t n = read(s->fd, buf, len);
                return n < 0 ? -errno : n;
        }
        la_ssize_t n = archive_read_data(s->xz, buf, len);
        if (n < 0) {
                free(s->error);
                s->error = xstrdup(archive_error_string(s->xz) ? archive_error_string(s->xz) : "xz error");
                return -EBADMSG;
        }
        return n;
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Restores the NAR in fd (xz-compressed when url ends in ".xz") at out. */
static int unpack_nar(int fd, const char *url, const char *out, Hash *ret_sha256, char **ret_error) {
        if (lseek(fd, 0, SEEK_SET) < 0) {
                int r = -errno;
                *ret_error = xasprintf("unpacking '%s': %s", url, strerror(-r));
                return r;
        }
        UnpackSource src = { .fd = fd };
        if (has_suffix(url, ".xz")) {
                struct archive_entry *entry;
                src.xz = archive_read_new();
                if (!src.xz || archive_read_support_filter_xz(src.xz) != ARCHIVE_OK ||
                    archive_read_support_format_raw(src.xz) != ARCHIVE_OK ||
                    archive_read_open_fd(src.xz, fd, 64 * 1024) != ARCHIVE_OK ||
                    archive_read_next_header(src.xz, &entry) != ARCHIVE_OK) {
                        *ret_error = xasprintf("unpacking '%s': %s", url,
                                                  src.xz && archive_error_string(src.xz) ? archive_error_string(src.xz)
                                                                                        : "cannot decompress");
                        if (src.xz)
                                archive_read_free(src.xz);
                        return -EBADMSG;
                }
        }
        char *error = NULL;
        int r = nar_restore(AT_FDCWD, out, unpack_read, &src, NULL, ret_sha256, NULL, &error);
        if (r < 0)
                *ret_error = xasprintf("unpacking the NAR from '%s': %s", url,
                                          src.error ? src.error : error ? error : strerror(-r));
        free(error);
        free(src.error);
        if (src.xz)
                archive_read_free(src.xz);
        return r;
}

/* ---- the builder -------------------------------------------------------- */

typedef struct Fetch {
        const BuiltinContext *ctx;
        const char *out;
        bool unpack, executable;
        bool check;      /* want is known */
        bool recursive;  /* want is a NAR hash */
        Hash want;
} Fetch;

static int hash_check(const Fetch *f, const char *url, const Hash *got, char **ret_error) {
        if (memcmp(got->bytes, f->want.bytes, hash_algo_size(f->want.algo)) == 0)
                return 0;
        _cleanup_free_ char *w = hash_to_string(&f->want, HASH_FORMAT_SRI);
        _cleanup_free_ char *g = hash_to_string(got, HASH_FORMAT_SRI);
        *ret_error = xasprintf("hash mismatch in file downloaded from '%s':\n  specified: %s\n     got:    %s", url,
                                  w, g);
        return -EBADMSG;
}

/* Fetches url to f->out, checking the hash when check_hash (and it is
 * known); on failure nothing is left there. */
static int fetch_url(const Fetch *f, const char *url, bool check_hash, char **ret_error) {
        Download d = { .url = url, .log_fd = f->ctx->log_fd, .event_fd = f->ctx->event_fd, .fd = -EBADF };
        int r;
        if (f->unpack) {
                /* The download goes to an unnamed file beside the output. */
                _cleanup_free_ char *tmp = xasprintf("%s.download-XXXXXX", f->out);
                d.fd = mkostemp(tmp, O_CLOEXEC);
                if (d.fd < 0) {
                        r = -errno;
                        *ret_error = xasprintf("creating '%s': %s", tmp, strerror(-r));
                        return r;
                }
                (void) unlink(tmp);
                r = download(&d, ret_error);
                Hash got;
                if (r >= 0)
                        r = unpack_nar(d.fd, url, f->out, &got, ret_error);
                close(d.fd);
                if (r >= 0 && check_hash && f->check && f->recursive && f->want.algo == HASH_SHA256)
                        r = hash_check(f, url, &got, ret_error);
                struct stat st;
                if (r >= 0 && f->executable && lstat(f->out, &st) == 0 && S_ISREG(st.st_mode) &&
                    chmod(f->out, 0755) < 0) {
                        r = -errno;
                        *ret_error = xasprintf("making '%s' executable: %s", f->out, strerror(-r));
                }
                if (r < 0)
                        rm_rf(AT_FDCWD, f->out, NULL);
                return r;
        }

        d.fd = open(f->out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (d.fd < 0) {
                r = -errno;
                *ret_error = xasprintf("creating '%s': %s", f->out, strerror(-r));
                return r;
        }
        if (check_hash && f->check && !f->recursive) {
                d.algo = f->want.algo;
                d.hash = hash_ctx_new(d.algo);
        }
        r = download(&d, ret_error);
        if (r >= 0 && fchmod(d.fd, f->executable ? 0755 : 0644) < 0) {
                r = -errno;
                *ret_error = xasprintf("setting the mode of '%s': %s", f->out, strerror(-r));
        }
        if (close(d.fd) < 0 && r >= 0) {
                r = -errno;
                *ret_error = xasprintf("writing '%s': %s", f->out, strerror(-r));
        }
        if (d.hash) {
                Hash got;
                hash_ctx_finish(d.hash, &got);
                if (r >= 0)
                        r = hash_check(f, url, &got, ret_error);
        }
        if (r < 0)
                (void) unlink(f->out);
        return r;
}

int builtin_fetchurl(const BuiltinContext *ctx, char **ret_error) {
        const char *out = builtin_output_dir(ctx, "out");
        const DrvOutput *o = drv_find_output(ctx->drv, "out");
        DrvType type;
        if (!out || !o || drv_type(ctx->drv, &type, NULL) < 0 || type != DRV_TYPE_FIXED) {
                *ret_error = xstrdup("builtin:fetchurl must be a fixed-output derivation (an output 'out' with "
                                     "outputHash)");
                return -EINVAL;
        }
        _cleanup_strv_free_ char **urls = NULL;
        const char *url = drv_get_env(ctx->drv, "url");
        if (url)
                urls = strv_push(urls, url);
        else {
                const char *s = drv_get_env(ctx->drv, "urls");
                while (s && *s) {
                        s += strspn(s, " \t\r\n");
                        size_t n = strcspn(s, " \t\r\n");
                        if (n)
                                urls = strv_consume(urls, xstrndup(s, n));
                        s += n;
                }
        }
        if (!urls) {
                *ret_error = xstrdup("attribute 'url' missing");
                return -EINVAL;
        }
        const char *unpack = drv_get_env(ctx->drv, "unpack");
        const char *executable = drv_get_env(ctx->drv, "executable");
        Fetch f = {
                .ctx = ctx,
                .out = out,
                .unpack = unpack && strcmp(unpack, "1") == 0,
                .executable = executable && strcmp(executable, "1") == 0,
                .recursive = strncmp(o->hash_algo, "r:", 2) == 0,
        };
        HashAlgo algo;
        f.check = hash_algo_from_string(o->hash_algo + (f.recursive ? 2 : 0), &algo) >= 0 &&
                  hash_from_string(o->hash, &algo, &f.want) >= 0;

        pthread_once(&curl_once, curl_init);
        if (curl_init_result != CURLE_OK) {
                *ret_error = xasprintf("initialising libcurl: %s", curl_easy_strerror(curl_init_result));
                return -EIO;
        }

        /* Each URL in turn; the errors of all of them if none works. The
         * last one's hash is left to the caller, which says "hash mismatch
         * in fixed-output derivation" as Nix does. */
        StrBuf errors = STRBUF_INIT;
        int r = -EIO;
        for (size_t i = 0; urls[i]; i++) {
                char *error = NULL;
                r = fetch_url(&f, urls[i], urls[i + 1] != NULL, &error);
                if (r >= 0)
                        break;
                if (urls[i + 1])
                        log_line(ctx->log_fd, "warning: %s; trying the next URL", error ? error : strerror(-r));
                if (errors.len)
                        strbuf_addc(&errors, '\n');
                strbuf_adds(&errors, error ? error : strerror(-r));
                free(error);
        }
        if (r < 0) {
                *ret_error = strbuf_detach(&errors, NULL);
                return r;
        }
        strbuf_release(&errors);
        return 0;
}
