#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binary-cache.h"
#include "cleanup.h"
#include "fileio.h"
#include "nar-restore.h"
#include "nar.h"
#include "store-add.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

/* NARs fetched at once by an import, and HTTP connections per host. */
#define NAR_JOBS 4
#define HTTP_CONNECTIONS 8
/* A closure larger than this is refused (a hostile cache could invent
 * references forever). */
#define IMPORT_MAX_PATHS (1u << 20)
/* Bytes a streaming download buffers before it pauses. */
#define STREAM_BUFFER_MAX (1u << 20)
#define RAW_BUFFER_SIZE (64u * 1024)
#define CACHE_INFO_MAX_SIZE (64u * 1024)

static void set_error(char **ret_error, char *msg) {
        if (ret_error)
                *ret_error = msg;
        else
                free(msg);
}

struct BinaryCache {
        char *url;      /* without query string and trailing '/' */
        char *dir;      /* file://: the directory; NULL for HTTP */
        int dir_fd;     /* file://: opened on first use */
        char **params;  /* "key=value" */
        bool have_info;
        BinaryCacheInfo info;
        BinaryCacheProgressFn progress_fn;
        void *progress_data;
        pthread_mutex_t progress_lock;
};

/* ---- URLs ---------------------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init(void) {
        curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int binary_cache_open(const char *url, BinaryCache **ret, char **ret_error) {
        const char *q = strchr(url, '?');
        _cleanup_free_ char *base = q ? xstrndup(url, (size_t) (q - url)) : xstrdup(url);
        size_t len = strlen(base);
        while (len > 0 && base[len - 1] == '/' && strcmp(base, "file:///") != 0)
                base[--len] = 0;

        BinaryCache *cache = xcalloc(1, sizeof(*cache));
        cache->dir_fd = -EBADF;
        pthread_mutex_init(&cache->progress_lock, NULL);
        if (strncmp(base, "file://", 7) == 0) {
                if (base[7] != '/') {
                        set_error(ret_error, xasprintf("'%s': a file:// URL needs an absolute path", url));
                        binary_cache_free(cache);
                        return -EINVAL;
                }
                cache->dir = xstrdup(base + 7);
        } else if (strncmp(base, "http://", 7) == 0 || strncmp(base, "https://", 8) == 0) {
                pthread_once(&curl_once, curl_init);
                if (curl_init_result != CURLE_OK) {
                        set_error(ret_error, xasprintf("initialising libcurl: %s",
                                                          curl_easy_strerror(curl_init_result)));
                        binary_cache_free(cache);
                        return -EIO;
                }
        } else {
                set_error(ret_error, xasprintf("'%s' is not a supported binary cache URL (file://, http://, "
                                                  "https://)", url));
                binary_cache_free(cache);
                return -EINVAL;
        }
        cache->url = TAKE_PTR(base);
        if (q) {
                _cleanup_free_ char *params = xstrdup(q + 1);
                char *save = NULL;
                for (char *p = strtok_r(params, "&", &save); p; p = strtok_r(NULL, "&", &save))
                        cache->params = strv_push(cache->params, p);
        }
        *ret = cache;
        return 0;
}

BinaryCache *binary_cache_free(BinaryCache *cache) {
        if (!cache)
                return NULL;
        free(cache->url);
        free(cache->dir);
        if (cache->dir_fd >= 0)
                close(cache->dir_fd);
        strv_free(cache->params);
        free(cache->info.store_dir);
        pthread_mutex_destroy(&cache->progress_lock);
        free(cache);
        return NULL;
}

void binary_cache_set_progress(BinaryCache *cache, BinaryCacheProgressFn fn, void *userdata) {
        pthread_mutex_lock(&cache->progress_lock);
        cache->progress_fn = fn;
        cache->progress_data = userdata;
        pthread_mutex_unlock(&cache->progress_lock);
}

static void cache_event(BinaryCache *cache, const BinaryCacheEvent *ev) {
        pthread_mutex_lock(&cache->progress_lock);
        if (cache->progress_fn)
                cache->progress_fn(cache->progress_data, ev);
        pthread_mutex_unlock(&cache->progress_lock);
}

const char *binary_cache_url(const BinaryCache *cache) {
        return cache->url;
}

const char *binary_cache_param(const BinaryCache *cache, const char *name) {
        size_t n = strlen(name);
        for (char **p = cache->params; p && *p; p++)
                if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
                        return *p + n + 1;
        return NULL;
}

/* file://: the directory's fd; with create, the directory and nar/ are
 * made when missing. */
static int cache_dir_fd(BinaryCache *cache, bool create, char **ret_error) {
        if (cache->dir_fd >= 0)
                return cache->dir_fd;
        int r;
        if (create) {
                r = mkdir_p(AT_FDCWD, cache->dir, 0755);
                if (r >= 0)
                        r = 0;
                if (r < 0) {
                        set_error(ret_error, xasprintf("creating '%s': %s", cache->dir, strerror(-r)));
                        return r;
                }
        }
        int fd = open(cache->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                set_error(ret_error, r == -ENOENT ? xasprintf("'%s' does not appear to be a binary cache (no "
                                                                 "such directory)", cache->url)
                                                  : xasprintf("opening '%s': %s", cache->dir, strerror(-r)));
                return r;
        }
        if (create && mkdirat(fd, "nar", 0755) < 0 && errno != EEXIST) {
                r = -errno;
                close(fd);
                set_error(ret_error, xasprintf("creating '%s/nar': %s", cache->dir, strerror(-r)));
                return r;
        }
        cache->dir_fd = fd;
        return fd;
}

/* A file name from a narinfo's URL must stay inside the cache. */
static bool relative_name_ok(const char *name) {
        if (!*name || name[0] == '/' || strstr(name, "://"))
                return false;
        for (const char *p = name; *p;) {
                const char *end = strchrnul(p, '/');
                size_t n = (size_t) (end - p);
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p = *end ? end + 1 : end;
        }
        return true;
}

/* ---- HTTP transfers ------------------------------------------------------ */

typedef struct Transfer {
        CURL *easy;
        char *url;
        char *path, *parent; /* the import walk's narinfo requests: for whom */
        StrBuf body;
        size_t off;       /* streaming: bytes of body already read */
        size_t max_size;  /* whole files: larger fails */
        bool streaming;
        bool too_big;
        bool paused;
        bool done;
        CURLcode result;
        char errbuf[CURL_ERROR_SIZE];
} Transfer;

static size_t transfer_write(char *data, size_t size, size_t nmemb, void *userdata) {
        Transfer *t = userdata;
        size_t len = size * nmemb;
        if (t->streaming) {
                if (t->off == t->body.len) {
                        strbuf_reset(&t->body);
                        t->off = 0;
                }
                if (t->body.len - t->off >= STREAM_BUFFER_MAX) {
                        t->paused = true;
                        return CURL_WRITEFUNC_PAUSE;
                }
        } else if (t->body.len + len > t->max_size) {
                t->too_big = true;
                return 0;
        }
        strbuf_add(&t->body, data, len);
        return len;
}

static Transfer *transfer_free(Transfer *t) {
        if (!t)
                return NULL;
        if (t->easy)
                curl_easy_cleanup(t->easy);
        free(t->url);
        free(t->path);
        free(t->parent);
        strbuf_release(&t->body);
        free(t);
        return NULL;
}

static Transfer *transfer_new(const char *url, bool streaming, size_t max_size) {
        Transfer *t = xcalloc(1, sizeof(*t));
        t->body = (StrBuf) STRBUF_INIT;
        t->url = xstrdup(url);
        t->streaming = streaming;
        t->max_size = max_size;
        t->easy = curl_easy_init();
        if (!t->easy)
                return transfer_free(t);
        CURL *e = t->easy;
        curl_easy_setopt(e, CURLOPT_URL, t->url);
        curl_easy_setopt(e, CURLOPT_PRIVATE, t);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, transfer_write);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
        curl_easy_setopt(e, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "firn/" FIRN_VERSION);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
        /* A download that stalls for 5 minutes has failed (Nix's
         * stalled-download-timeout). */
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 300L);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        return t;
}

/* The outcome of a finished transfer: 0, -ENOENT for 404/410, -EFBIG, or
 * -EIO, with a message. */
static int transfer_result(const Transfer *t, char **ret_error) {
        if (t->result == CURLE_OK)
                return 0;
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        if (t->too_big) {
                set_error(ret_error, xasprintf("'%s' is larger than %zu bytes", t->url, t->max_size));
                return -EFBIG;
        }
        if (t->result == CURLE_HTTP_RETURNED_ERROR && (status == 404 || status == 410)) {
                set_error(ret_error, xasprintf("'%s' does not exist (HTTP error %ld)", t->url, status));
                return -ENOENT;
        }
        if (t->result == CURLE_HTTP_RETURNED_ERROR)
                set_error(ret_error, xasprintf("unable to download '%s': HTTP error %ld", t->url, status));
        else
                set_error(ret_error, xasprintf("unable to download '%s': %s (curl error %d)", t->url,
                                                  t->errbuf[0] ? t->errbuf : curl_easy_strerror(t->result),
                                                  (int) t->result));
        return -EIO;
}

static void multi_collect(CURLM *multi) {
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left)))
                if (msg->msg == CURLMSG_DONE) {
                        Transfer *t = NULL;
                        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
                        t->done = true;
                        t->result = msg->data.result;
                }
}

/* Runs whole-file transfers to completion, HTTP_CONNECTIONS per host at
 * a time. */
static int transfers_run(Transfer **ts, size_t n, char **ret_error) {
        CURLM *multi = curl_multi_init();
        if (!multi) {
                set_error(ret_error, xasprintf("creating a libcurl handle failed"));
                return -ENOMEM;
        }
        curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) HTTP_CONNECTIONS);
        for (size_t i = 0; i < n; i++)
                curl_multi_add_handle(multi, ts[i]->easy);
        int running = 1, r = 0;
        while (running) {
                CURLMcode mc = curl_multi_perform(multi, &running);
                if (mc == CURLM_OK)
                        multi_collect(multi);
                if (mc == CURLM_OK && running)
                        mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
                if (mc != CURLM_OK) {
                        set_error(ret_error, xasprintf("libcurl: %s", curl_multi_strerror(mc)));
                        r = -EIO;
                        break;
                }
        }
        multi_collect(multi);
        for (size_t i = 0; i < n; i++)
                curl_multi_remove_handle(multi, ts[i]->easy);
        curl_multi_cleanup(multi);
        return r;
}

/* Streaming: reads what the transfer delivered, driving it as needed. */
static ssize_t transfer_read(Transfer *t, CURLM *multi, void *buf, size_t len, char **ret_error) {
        while (t->off == t->body.len) {
                if (t->done) {
                        int r = transfer_result(t, ret_error);
                        return r < 0 ? r : 0;
                }
                if (t->paused) {
                        t->paused = false;
                        curl_easy_pause(t->easy, CURLPAUSE_CONT);
                        continue;
                }
                int running = 0;
                CURLMcode mc = curl_multi_perform(multi, &running);
                if (mc == CURLM_OK)
                        multi_collect(multi);
                if (mc == CURLM_OK && t->off == t->body.len && !t->done)
                        mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
                if (mc != CURLM_OK) {
                        set_error(ret_error, xasprintf("libcurl: %s", curl_multi_strerror(mc)));
                        return -EIO;
                }
        }
        size_t n = t->body.len - t->off;
        if (n > len)
                n = len;
        memcpy(buf, t->body.buf + t->off, n);
        t->off += n;
        return (ssize_t) n;
}

/* ---- fetching whole files ---------------------------------------------- */

static char *cache_file_url(const BinaryCache *cache, const char *name) {
        return xasprintf("%s/%s", cache->url, name);
}

int binary_cache_get_file(BinaryCache *cache, const char *name, size_t max_size, char **ret_data, size_t *ret_len,
                          char **ret_error) {
        if (cache->dir) {
                int dfd = cache_dir_fd(cache, false, ret_error);
                if (dfd < 0)
                        return dfd;
                int r = read_file(dfd, name, max_size, ret_data, ret_len);
                if (r == -ENOENT)
                        set_error(ret_error, xasprintf("'%s/%s' does not exist", cache->url, name));
                else if (r < 0)
                        set_error(ret_error, xasprintf("reading '%s/%s': %s", cache->url, name, strerror(-r)));
                return r;
        }
        _cleanup_free_ char *url = cache_file_url(cache, name);
        Transfer *t = transfer_new(url, false, max_size);
        if (!t) {
                set_error(ret_error, xasprintf("creating a libcurl handle failed"));
                return -ENOMEM;
        }
        int r = transfers_run(&t, 1, ret_error);
        if (r >= 0)
                r = transfer_result(t, ret_error);
        if (r >= 0)
                *ret_data = strbuf_detach(&t->body, ret_len);
        transfer_free(t);
        return r;
}

static bool parse_bool(const char *s) {
        return strcmp(s, "1") == 0 || strcmp(s, "true") == 0;
}

int binary_cache_read_info(BinaryCache *cache, const char *store_dir, const BinaryCacheInfo **ret_info,
                           char **ret_error) {
        if (!cache->have_info) {
                _cleanup_free_ char *data = NULL;
                char *error = NULL;
                int r = binary_cache_get_file(cache, "nix-cache-info", CACHE_INFO_MAX_SIZE, &data, NULL, &error);
                if (r == -ENOENT) {
                        free(error);
                        set_error(ret_error, xasprintf("'%s' does not appear to be a binary cache (it has no "
                                                          "nix-cache-info)", cache->url));
                        return r;
                }
                if (r < 0) {
                        set_error(ret_error, error);
                        return r;
                }
                BinaryCacheInfo info = { .priority = 50 };
                char *save = NULL;
                for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        char *colon = strchr(line, ':');
                        if (!colon)
                                continue;
                        *colon = 0;
                        char *value = colon + 1;
                        while (*value == ' ')
                                value++;
                        if (strcmp(line, "StoreDir") == 0) {
                                free(info.store_dir);
                                info.store_dir = xstrdup(value);
                        } else if (strcmp(line, "WantMassQuery") == 0)
                                info.want_mass_query = parse_bool(value);
                        else if (strcmp(line, "Priority") == 0)
                                info.priority = atoi(value);
                }
                if (!info.store_dir) /* Nix's default */
                        info.store_dir = xstrdup(STORE_DIR_DEFAULT);
                cache->info = info;
                cache->have_info = true;
        }
        if (strcmp(cache->info.store_dir, store_dir) != 0) {
                set_error(ret_error, xasprintf("binary cache '%s' is for Nix stores with prefix '%s', not '%s'",
                                                  cache->url, cache->info.store_dir, store_dir));
                return -EINVAL;
        }
        if (ret_info)
                *ret_info = &cache->info;
        return 0;
}

static const char *hash_part_of(const char *path, const char *store_dir) {
        size_t n = strlen(store_dir);
        if (strncmp(path, store_dir, n) != 0 || path[n] != '/')
                return NULL;
        const char *base = path + n + 1;
        return store_base_name_valid(base, strlen(base)) ? base : NULL;
}

static char *narinfo_name(const char *path, const char *store_dir) {
        const char *base = hash_part_of(path, store_dir);
        return base ? xasprintf("%.*s.narinfo", STORE_PATH_HASH_CHARS, base) : NULL;
}

static int parse_fetched_narinfo(BinaryCache *cache, const char *name, const char *data, size_t len,
                                 const char *store_dir, NarInfo **ret, char **ret_error) {
        _cleanup_free_ char *whence = cache_file_url(cache, name);
        return narinfo_parse(data, len, store_dir, whence, ret, ret_error);
}

int binary_cache_get_narinfos(BinaryCache *cache, const char *store_dir, char *const *paths, size_t n,
                              NarInfo **ret_infos, char **ret_error) {
        _cleanup_free_ NarInfo **infos = xcalloc(n ? n : 1, sizeof(NarInfo *));
        _cleanup_free_ Transfer **ts = cache->dir ? NULL : xcalloc(n ? n : 1, sizeof(Transfer *));
        int r = 0;

        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *name = narinfo_name(paths[i], store_dir);
                if (!name) {
                        set_error(ret_error, xasprintf("'%s' is not a store path in %s", paths[i], store_dir));
                        r = -EINVAL;
                        break;
                }
                if (cache->dir) {
                        _cleanup_free_ char *data = NULL;
                        size_t len = 0;
                        char *error = NULL;
                        r = binary_cache_get_file(cache, name, NARINFO_MAX_SIZE, &data, &len, &error);
                        if (r == -ENOENT) {
                                free(error);
                                r = 0;
                                continue;
                        }
                        if (r < 0)
                                set_error(ret_error, error);
                        else
                                r = parse_fetched_narinfo(cache, name, data, len, store_dir, &infos[i], ret_error);
                } else {
                        _cleanup_free_ char *url = cache_file_url(cache, name);
                        ts[i] = transfer_new(url, false, NARINFO_MAX_SIZE);
                        if (!ts[i]) {
                                set_error(ret_error, xasprintf("creating a libcurl handle failed"));
                                r = -ENOMEM;
                        }
                }
        }
        if (r >= 0 && ts)
                r = transfers_run(ts, n, ret_error);
        for (size_t i = 0; r >= 0 && ts && i < n; i++) {
                r = transfer_result(ts[i], NULL);
                if (r == -ENOENT) {
                        r = 0;
                        continue;
                }
                if (r < 0) {
                        transfer_result(ts[i], ret_error);
                        break;
                }
                _cleanup_free_ char *name = narinfo_name(paths[i], store_dir);
                r = parse_fetched_narinfo(cache, name, ts[i]->body.buf, ts[i]->body.len, store_dir, &infos[i],
                                          ret_error);
        }
        for (size_t i = 0; ts && i < n; i++)
                transfer_free(ts[i]);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        narinfo_free(infos[i]);
                return r;
        }
        memcpy(ret_infos, infos, n * sizeof(NarInfo *));
        return 0;
}

/* ---- reading NARs -------------------------------------------------------- */

struct NarReader {
        char *url;         /* of the (compressed) file, for messages */
        int fd;            /* file:// */
        Transfer *transfer; /* HTTP */
        CURLM *multi;
        bool own_multi;    /* false: the caller's, reused across NARs */
        struct archive *archive; /* NULL without compression */
        uint8_t *raw;      /* libarchive's input buffer */
        uint64_t limit;    /* NarSize */
        uint64_t count;
        uint64_t raw_count; /* compressed bytes read */
        int error_code;
        char *error;
};

static void reader_fail(NarReader *r, int code, char *msg) {
        if (r->error_code == 0) {
                r->error_code = code;
                r->error = msg;
        } else
                free(msg);
}

/* The compressed bytes. */
static ssize_t raw_read(NarReader *r, void *buf, size_t len) {
        if (r->error_code)
                return r->error_code;
        if (r->transfer) {
                char *error = NULL;
                ssize_t n = transfer_read(r->transfer, r->multi, buf, len, &error);
                if (n < 0)
                        reader_fail(r, (int) n, error);
                else
                        r->raw_count += (uint64_t) n;
                return n;
        }
        for (;;) {
                ssize_t n = read(r->fd, buf, len);
                if (n >= 0) {
                        r->raw_count += (uint64_t) n;
                        return n;
                }
                if (errno != EINTR) {
                        int e = -errno;
                        reader_fail(r, e, xasprintf("reading '%s': %s", r->url, strerror(-e)));
                        return e;
                }
        }
}

static la_ssize_t archive_read_cb(struct archive *a, void *userdata, const void **ret_buf) {
        NarReader *r = userdata;
        ssize_t n = raw_read(r, r->raw, RAW_BUFFER_SIZE);
        if (n < 0) {
                archive_set_error(a, EIO, "%s", r->error ? r->error : "read error");
                return -1;
        }
        *ret_buf = r->raw;
        return n;
}

static int compression_filter(const char *compression, int *ret_code) {
        static const struct {
                const char *name;
                int code;
        } table[] = {
                { "none", ARCHIVE_FILTER_NONE }, { "xz", ARCHIVE_FILTER_XZ },
                { "zstd", ARCHIVE_FILTER_ZSTD }, { "bzip2", ARCHIVE_FILTER_BZIP2 },
                { "gzip", ARCHIVE_FILTER_GZIP },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcmp(compression, table[i].name) == 0) {
                        *ret_code = table[i].code;
                        return 0;
                }
        return -EOPNOTSUPP;
}

NarReader *nar_reader_free(NarReader *r) {
        if (!r)
                return NULL;
        if (r->archive)
                archive_read_free(r->archive);
        if (r->transfer) {
                curl_multi_remove_handle(r->multi, r->transfer->easy);
                transfer_free(r->transfer);
        }
        if (r->multi && r->own_multi)
                curl_multi_cleanup(r->multi);
        if (r->fd >= 0)
                close(r->fd);
        free(r->raw);
        free(r->url);
        free(r->error);
        free(r);
        return NULL;
}

/* multi: a handle to run the transfer on (kept by the caller, so its
 * connections are reused by the next NAR), or NULL for one of its own. */
static int nar_reader_open_on(BinaryCache *cache, const NarInfo *info, CURLM *multi, NarReader **ret,
                              char **ret_error) {
        int filter;
        if (compression_filter(info->compression, &filter) < 0) {
                set_error(ret_error, xasprintf("path '%s' in '%s' uses compression '%s', which firn cannot read",
                                                  info->path, cache->url, info->compression));
                return -EOPNOTSUPP;
        }
        if (!relative_name_ok(info->url)) {
                set_error(ret_error, xasprintf("the narinfo of '%s' in '%s' has a bad URL '%s'", info->path,
                                                  cache->url, info->url));
                return -EBADMSG;
        }
        _cleanup_(nar_reader_freep) NarReader *r = xcalloc(1, sizeof(*r));
        r->fd = -EBADF;
        r->limit = info->nar_size;
        r->url = cache_file_url(cache, info->url);
        if (cache->dir) {
                int dfd = cache_dir_fd(cache, false, ret_error);
                if (dfd < 0)
                        return dfd;
                r->fd = openat(dfd, info->url, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (r->fd < 0) {
                        int e = -errno;
                        set_error(ret_error, xasprintf("opening '%s': %s", r->url, strerror(-e)));
                        return e;
                }
        } else {
                r->transfer = transfer_new(r->url, true, 0);
                r->own_multi = !multi;
                r->multi = multi ? multi : curl_multi_init();
                if (!r->transfer || !r->multi) {
                        set_error(ret_error, xasprintf("creating a libcurl handle failed"));
                        return -ENOMEM;
                }
                curl_multi_add_handle(r->multi, r->transfer->easy);
        }
        if (filter != ARCHIVE_FILTER_NONE) {
                r->raw = xmalloc(RAW_BUFFER_SIZE);
                r->archive = archive_read_new();
                if (!r->archive) {
                        set_error(ret_error, xasprintf("creating a libarchive reader failed"));
                        return -ENOMEM;
                }
                struct archive_entry *entry = NULL;
                if (archive_read_support_format_raw(r->archive) != ARCHIVE_OK ||
                    archive_read_append_filter(r->archive, filter) != ARCHIVE_OK ||
                    archive_read_open(r->archive, r, NULL, archive_read_cb, NULL) != ARCHIVE_OK ||
                    archive_read_next_header(r->archive, &entry) != ARCHIVE_OK) {
                        if (r->error)
                                set_error(ret_error, TAKE_PTR(r->error));
                        else
                                set_error(ret_error, xasprintf("decompressing '%s' (%s): %s", r->url,
                                                                  info->compression,
                                                                  archive_error_string(r->archive)));
                        return r->error_code ? r->error_code : -EBADMSG;
                }
        }
        *ret = TAKE_PTR(r);
        return 0;
}

int nar_reader_open(BinaryCache *cache, const NarInfo *info, NarReader **ret, char **ret_error) {
        return nar_reader_open_on(cache, info, NULL, ret, ret_error);
}

ssize_t nar_reader_read(void *userdata, void *buf, size_t len) {
        NarReader *r = userdata;
        if (r->error_code)
                return r->error_code;
        ssize_t n;
        if (r->archive) {
                n = archive_read_data(r->archive, buf, len);
                if (n < 0) {
                        if (!r->error_code)
                                reader_fail(r, -EBADMSG, xasprintf("decompressing '%s': %s", r->url,
                                                                      archive_error_string(r->archive)));
                        return r->error_code;
                }
        } else {
                n = raw_read(r, buf, len);
                if (n < 0)
                        return n;
        }
        r->count += (uint64_t) n;
        if (r->count > r->limit) {
                reader_fail(r, -EFBIG, xasprintf("the NAR at '%s' is larger than the NarSize %" PRIu64
                                                    " its narinfo gives",
                                                    r->url, r->limit));
                return r->error_code;
        }
        return n;
}

const char *nar_reader_error(const NarReader *reader) {
        return reader->error;
}

/* ---- writing ------------------------------------------------------------- */

int binary_cache_has(BinaryCache *cache, const char *store_dir, const char *path, char **ret_error) {
        _cleanup_free_ char *name = narinfo_name(path, store_dir);
        if (!name) {
                set_error(ret_error, xasprintf("'%s' is not a store path in %s", path, store_dir));
                return -EINVAL;
        }
        if (cache->dir) {
                int dfd = cache_dir_fd(cache, false, ret_error);
                if (dfd < 0)
                        return dfd;
                if (faccessat(dfd, name, F_OK, 0) >= 0)
                        return 1;
                if (errno == ENOENT)
                        return 0;
                int r = -errno;
                set_error(ret_error, xasprintf("checking '%s/%s': %s", cache->url, name, strerror(-r)));
                return r;
        }
        _cleanup_free_ char *data = NULL;
        char *error = NULL;
        int r = binary_cache_get_file(cache, name, NARINFO_MAX_SIZE, &data, NULL, &error);
        if (r == -ENOENT) {
                free(error);
                return 0;
        }
        if (r < 0) {
                set_error(ret_error, error);
                return r;
        }
        return 1;
}

typedef struct NarWriter {
        int fd;
        HashCtx *file_hash;
        uint64_t file_size;
        HashCtx *nar_hash;
        uint64_t nar_size;
        struct archive *archive;
        int error;
} NarWriter;

static int writer_output(NarWriter *w, const void *data, size_t len) {
        int r = fd_write_all(w->fd, data, len);
        if (r < 0) {
                if (!w->error)
                        w->error = r;
                return r;
        }
        hash_ctx_update(w->file_hash, data, len);
        w->file_size += len;
        return 0;
}

static la_ssize_t archive_write_cb(struct archive *a, void *userdata, const void *buf, size_t len) {
        NarWriter *w = userdata;
        if (writer_output(w, buf, len) < 0) {
                archive_set_error(a, -w->error, "%s", strerror(-w->error));
                return -1;
        }
        return (la_ssize_t) len;
}

static int writer_sink(void *userdata, const void *data, size_t len) {
        NarWriter *w = userdata;
        hash_ctx_update(w->nar_hash, data, len);
        w->nar_size += len;
        if (!w->archive)
                return writer_output(w, data, len);
        const char *p = data;
        while (len > 0) {
                la_ssize_t n = archive_write_data(w->archive, p, len);
                if (n <= 0)
                        return w->error ? w->error : -EIO;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

static int add_compression_filter(struct archive *a, const char *compression) {
        if (strcmp(compression, "xz") == 0)
                return archive_write_add_filter_xz(a);
        if (strcmp(compression, "zstd") == 0)
                return archive_write_add_filter_zstd(a);
        if (strcmp(compression, "bzip2") == 0)
                return archive_write_add_filter_bzip2(a);
        if (strcmp(compression, "gzip") == 0)
                return archive_write_add_filter_gzip(a);
        return ARCHIVE_FATAL;
}

static const char *compression_extension(const char *compression) {
        if (strcmp(compression, "xz") == 0)
                return ".xz";
        if (strcmp(compression, "zstd") == 0)
                return ".zst";
        if (strcmp(compression, "bzip2") == 0)
                return ".bz2";
        if (strcmp(compression, "gzip") == 0)
                return ".gz";
        return "";
}

static atomic_uint tmp_counter;

/* Writes the compressed NAR of info's path to nar/ and returns its
 * narinfo (signatures not yet added). */
static int write_nar(BinaryCache *cache, Store *store, const PathInfo *info, const char *compression,
                     NarInfo **ret, char **ret_error) {
        int dfd = cache->dir_fd;
        char tmp[64];
        snprintf(tmp, sizeof(tmp), "nar/.tmp-firn-%d-%u", (int) getpid(), atomic_fetch_add(&tmp_counter, 1));
        NarWriter w = { .fd = -EBADF };
        w.fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (w.fd < 0) {
                int r = -errno;
                set_error(ret_error, xasprintf("creating '%s/%s': %s", cache->url, tmp, strerror(-r)));
                return r;
        }
        w.file_hash = hash_ctx_new(HASH_SHA256);
        w.nar_hash = hash_ctx_new(HASH_SHA256);
        int r = 0;
        char *dump_error = NULL;
        if (strcmp(compression, "none") != 0) {
                struct archive_entry *entry = archive_entry_new();
                w.archive = archive_write_new();
                if (!entry || !w.archive || add_compression_filter(w.archive, compression) != ARCHIVE_OK ||
                    archive_write_set_format_raw(w.archive) != ARCHIVE_OK ||
                    archive_write_set_bytes_in_last_block(w.archive, 1) != ARCHIVE_OK ||
                    archive_write_open(w.archive, &w, NULL, archive_write_cb, NULL) != ARCHIVE_OK) {
                        set_error(ret_error, xasprintf("setting up %s compression: %s", compression,
                                                          w.archive ? archive_error_string(w.archive) : "no memory"));
                        r = -EIO;
                } else {
                        archive_entry_set_pathname(entry, "nar");
                        archive_entry_set_filetype(entry, AE_IFREG);
                        archive_entry_set_perm(entry, 0644);
                        if (archive_write_header(w.archive, entry) != ARCHIVE_OK) {
                                set_error(ret_error, xasprintf("compressing: %s",
                                                                  archive_error_string(w.archive)));
                                r = -EIO;
                        }
                }
                archive_entry_free(entry);
        }
        const char *base = store_path_base(store, info->path);
        if (r >= 0 && !base) {
                set_error(ret_error, xasprintf("'%s' is not a store path", info->path));
                r = -EINVAL;
        }
        if (r >= 0) {
                r = nar_dump_path(store->store_fd, base, writer_sink, &w, &dump_error);
                if (r < 0)
                        set_error(ret_error, dump_error ? dump_error
                                                        : xasprintf("writing the NAR of '%s' to '%s': %s",
                                                                       info->path, cache->url, strerror(-r)));
        }
        if (w.archive) {
                if (r >= 0 && archive_write_close(w.archive) != ARCHIVE_OK) {
                        r = w.error ? w.error : -EIO;
                        set_error(ret_error, xasprintf("compressing the NAR of '%s': %s", info->path,
                                                          archive_error_string(w.archive)));
                }
                archive_write_free(w.archive);
        }
        if (r >= 0) {
                r = fd_sync(w.fd);
                if (r < 0)
                        set_error(ret_error, xasprintf("writing '%s/%s': %s", cache->url, tmp, strerror(-r)));
        }
        close(w.fd);
        Hash file_hash, nar_hash;
        hash_ctx_finish(w.file_hash, &file_hash);
        hash_ctx_finish(w.nar_hash, &nar_hash);
        if (r >= 0 && (memcmp(nar_hash.bytes, info->nar_hash.bytes, hash_algo_size(HASH_SHA256)) != 0 ||
                       w.nar_size != info->nar_size)) {
                _cleanup_free_ char *got = hash_to_string(&nar_hash, HASH_FORMAT_BASE32);
                _cleanup_free_ char *want = hash_to_string(&info->nar_hash, HASH_FORMAT_BASE32);
                set_error(ret_error, xasprintf("path '%s' was modified: its NAR hash is sha256:%s (%" PRIu64
                                                  " bytes), the store says sha256:%s (%" PRIu64 " bytes)",
                                                  info->path, got, w.nar_size, want, info->nar_size));
                r = -EBADMSG;
        }
        if (r < 0) {
                unlinkat(dfd, tmp, 0);
                return r;
        }
        _cleanup_free_ char *fh = hash_to_string(&file_hash, HASH_FORMAT_BASE32);
        _cleanup_free_ char *url = xasprintf("nar/%s.nar%s", fh, compression_extension(compression));
        r = rename_at(dfd, tmp, dfd, url, false);
        if (r >= 0)
                r = sync_parent_dir(dfd, url);
        if (r < 0) {
                unlinkat(dfd, tmp, 0);
                set_error(ret_error, xasprintf("writing '%s/%s': %s", cache->url, url, strerror(-r)));
                return r;
        }

        _cleanup_narinfo_free_ NarInfo *ni = narinfo_new();
        ni->path = xstrdup(info->path);
        ni->url = TAKE_PTR(url);
        ni->compression = xstrdup(compression);
        ni->has_file_hash = true;
        ni->file_hash = file_hash;
        ni->file_size = w.file_size;
        ni->nar_hash = info->nar_hash;
        ni->nar_size = info->nar_size;
        for (size_t i = 0; info->references && info->references[i]; i++) {
                const char *b = store_path_base(store, info->references[i]);
                if (b)
                        ni->references = strv_push(ni->references, b);
        }
        strv_sort_unique(ni->references);
        if (info->deriver) {
                const char *b = store_path_base(store, info->deriver);
                if (b)
                        ni->deriver = xstrdup(b);
        }
        if (info->sigs) {
                _cleanup_free_ char *copy = xstrdup(info->sigs);
                char *save = NULL;
                for (char *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save))
                        narinfo_add_sig(ni, s);
        }
        if (info->ca)
                ni->ca = xstrdup(info->ca);
        *ret = TAKE_PTR(ni);
        return 0;
}

static int ensure_cache_info(BinaryCache *cache, const char *store_dir, char **ret_error) {
        int dfd = cache_dir_fd(cache, true, ret_error);
        if (dfd < 0)
                return dfd;
        if (faccessat(dfd, "nix-cache-info", F_OK, 0) < 0) {
                if (errno != ENOENT) {
                        int r = -errno;
                        set_error(ret_error, xasprintf("checking '%s/nix-cache-info': %s", cache->url,
                                                          strerror(-r)));
                        return r;
                }
                _cleanup_free_ char *text = xasprintf("StoreDir: %s\nWantMassQuery: 1\nPriority: 50\n",
                                                         store_dir);
                int r = write_file_atomic(dfd, "nix-cache-info", text, strlen(text), 0644);
                if (r < 0) {
                        set_error(ret_error, xasprintf("writing '%s/nix-cache-info': %s", cache->url,
                                                          strerror(-r)));
                        return r;
                }
        }
        return binary_cache_read_info(cache, store_dir, NULL, ret_error);
}

static int compare_strp(const void *a, const void *b, void *userdata) {
        char *const *names = userdata;
        return strcmp(names[*(const size_t *) a], names[*(const size_t *) b]);
}

static ssize_t graph_find(char *const *names, const size_t *sorted, size_t n, const char *path) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(names[sorted[mid]], path);
                if (c == 0)
                        return (ssize_t) sorted[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

/* names[i] has the references refs[i] (full paths). Writes into order a
 * permutation of 0..n-1 with references first. */
static int topo_sort(char *const *names, char **const *refs, size_t n, size_t *order) {
        _cleanup_free_ size_t *sorted = xcalloc(n ? n : 1, sizeof(size_t));
        _cleanup_free_ size_t *pending = xcalloc(n ? n : 1, sizeof(size_t));
        _cleanup_free_ size_t *edge_start = xcalloc(n + 1, sizeof(size_t));
        for (size_t i = 0; i < n; i++)
                sorted[i] = i;
        qsort_r(sorted, n, sizeof(size_t), compare_strp, (void *) names);
        /* Reverse edges: for each reference, who waits for it. */
        size_t n_edges = 0;
        for (size_t i = 0; i < n; i++)
                for (char **r = refs[i]; r && *r; r++) {
                        ssize_t j = graph_find(names, sorted, n, *r);
                        if (j >= 0 && (size_t) j != i) {
                                pending[i]++;
                                edge_start[j + 1]++;
                                n_edges++;
                        }
                }
        for (size_t i = 0; i < n; i++)
                edge_start[i + 1] += edge_start[i];
        _cleanup_free_ size_t *waiters = xcalloc(n_edges ? n_edges : 1, sizeof(size_t));
        _cleanup_free_ size_t *fill = xcalloc(n ? n : 1, sizeof(size_t));
        for (size_t i = 0; i < n; i++)
                for (char **r = refs[i]; r && *r; r++) {
                        ssize_t j = graph_find(names, sorted, n, *r);
                        if (j >= 0 && (size_t) j != i)
                                waiters[edge_start[j] + fill[j]++] = i;
                }
        size_t head = 0, tail = 0;
        for (size_t i = 0; i < n; i++)
                if (pending[i] == 0)
                        order[tail++] = i;
        while (head < tail) {
                size_t j = order[head++];
                for (size_t e = edge_start[j]; e < edge_start[j + 1]; e++)
                        if (--pending[waiters[e]] == 0)
                                order[tail++] = waiters[e];
        }
        return tail == n ? 0 : -ELOOP;
}

int binary_cache_copy_closure_to(BinaryCache *cache, Store *store, char *const *paths,
                                 const CacheWriteOptions *opts, char ***ret_copied, char **ret_error) {
        const char *compression = opts && opts->compression ? opts->compression : "xz";
        if (!cache->dir) {
                set_error(ret_error, xasprintf("cannot write to '%s': only file:// binary caches can be written",
                                                  cache->url));
                return -EOPNOTSUPP;
        }
        int filter;
        if (compression_filter(compression, &filter) < 0) {
                set_error(ret_error, xasprintf("unknown compression method '%s' (xz, zstd, bzip2, gzip, none)",
                                                  compression));
                return -EINVAL;
        }
        int r = ensure_cache_info(cache, store->store_dir, ret_error);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **closure = NULL;
        r = store_query_closure(store, paths, false, &closure, ret_error);
        if (r < 0)
                return r;
        size_t n = strv_length(closure);
        PathInfo **infos = xcalloc(n ? n : 1, sizeof(PathInfo *));
        _cleanup_free_ char ***refs = xcalloc(n ? n : 1, sizeof(char **));
        _cleanup_free_ size_t *order = xcalloc(n ? n : 1, sizeof(size_t));
        _cleanup_strv_free_ char **copied = NULL;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = store_query_path_info(store, closure[i], &infos[i]);
                if (r < 0)
                        set_error(ret_error, xasprintf("querying '%s': %s", closure[i], strerror(-r)));
                else
                        refs[i] = infos[i]->references;
        }
        if (r >= 0 && topo_sort(closure, refs, n, order) < 0) {
                set_error(ret_error, xasprintf("the references of the closure form a cycle"));
                r = -ELOOP;
        }
        for (size_t k = 0; r >= 0 && k < n; k++) {
                PathInfo *info = infos[order[k]];
                r = binary_cache_has(cache, store->store_dir, info->path, ret_error);
                if (r > 0) {
                        r = 0;
                        continue;
                }
                if (r < 0)
                        break;
                _cleanup_narinfo_free_ NarInfo *ni = NULL;
                r = write_nar(cache, store, info, compression, &ni, ret_error);
                if (r < 0)
                        break;
                if (opts && opts->sign_key && narinfo_sign(ni, opts->sign_key, store->store_dir) < 0) {
                        set_error(ret_error, xasprintf("signing '%s' failed", info->path));
                        r = -EIO;
                        break;
                }
                _cleanup_free_ char *text = narinfo_format(ni);
                _cleanup_free_ char *name = narinfo_name(info->path, store->store_dir);
                r = write_file_atomic(cache->dir_fd, name, text, strlen(text), 0644);
                if (r < 0) {
                        set_error(ret_error, xasprintf("writing '%s/%s': %s", cache->url, name, strerror(-r)));
                        break;
                }
                copied = strv_push(copied, info->path);
        }
        for (size_t i = 0; i < n; i++)
                path_info_free(infos[i]);
        free(infos);
        if (r < 0)
                return r;
        if (ret_copied)
                *ret_copied = TAKE_PTR(copied);
        return 0;
}

/* ---- importing ------------------------------------------------------------ */

/* Events of one NAR's transfer come at most this often. */
#define PROGRESS_INTERVAL_USEC 100000u

typedef struct ImportNode {
        char *path;
        char *parent;  /* a path that refers to it, for messages (NULL: asked for) */
        NarInfo *info;
        char *tmp;     /* temporary name in the store directory */
        char **refs;   /* full paths */
        int result;
        char *error;
} ImportNode;

/* The NAR fetchers: up to NAR_JOBS threads taking nodes from a queue that
 * the narinfo walk fills, until the walk closes it or a fetch fails. Only
 * the walking thread touches the Store's database; the fetchers write
 * under their node's temporary name through store_fd alone. */
typedef struct ImportPool {
        Store *store;
        BinaryCache *cache;
        ImportNode **queue;
        size_t n_queued, next;
        bool closed;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        atomic_bool failed;
        pthread_t threads[NAR_JOBS];
        size_t n_threads;
} ImportPool;

typedef struct ImportSource {
        ImportPool *pool;
        NarReader *reader;
        const ImportNode *node;
        uint64_t start, last_event; /* now_usec() */
} ImportSource;

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static void node_event(ImportPool *pool, const ImportNode *node, BinaryCacheEventKind kind, uint64_t bytes,
                       uint64_t usec) {
        BinaryCacheEvent ev = {
                .kind = kind,
                .path = node->path,
                .url = pool->cache->url,
                .file_size = node->info->file_size,
                .nar_size = node->info->nar_size,
                .bytes = bytes,
                .usec = usec,
        };
        cache_event(pool->cache, &ev);
}

static ssize_t import_source(void *userdata, void *buf, size_t len) {
        ImportSource *s = userdata;
        if (atomic_load(&s->pool->failed))
                return -ECANCELED;
        ssize_t n = nar_reader_read(s->reader, buf, len);
        if (n > 0) {
                uint64_t now = now_usec();
                if (now - s->last_event >= PROGRESS_INTERVAL_USEC) {
                        s->last_event = now;
                        node_event(s->pool, s->node, BINARY_CACHE_NAR_PROGRESS, s->reader->raw_count,
                                   now - s->start);
                }
        }
        return n;
}

/* Checks that a content-addressed path's contents are what its CA says,
 * as Nix does on import. nar_hash is the NAR's sha256. */
static int check_ca(Store *store, const char *tmp, const NarInfo *info, const Hash *nar_hash, char **ret_error) {
        const char *ca = info->ca;
        const char *h;
        bool text = false, recursive = false;
        if (strncmp(ca, "text:", 5) == 0) {
                h = ca + 5;
                text = true;
        } else if (strncmp(ca, "fixed:r:", 8) == 0) {
                h = ca + 8;
                recursive = true;
        } else
                h = ca + 6;
        Hash want, got;
        if (hash_from_string(h, NULL, &want) < 0) {
                set_error(ret_error, xasprintf("path '%s' has a bad CA '%s'", info->path, ca));
                return -EBADMSG;
        }
        int r;
        if (recursive && want.algo == HASH_SHA256) {
                got = *nar_hash;
                r = 0;
        } else if (recursive) {
                char *error = NULL;
                r = nar_hash_path(store->store_fd, tmp, want.algo, &got, NULL, &error);
                free(error);
        } else {
                struct stat st;
                if (fstatat(store->store_fd, tmp, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        r = -errno;
                else if (!S_ISREG(st.st_mode))
                        r = -EBADMSG;
                else
                        r = hash_file(want.algo, store->store_fd, tmp, &got);
        }
        if (r >= 0 && memcmp(want.bytes, got.bytes, hash_algo_size(want.algo)) != 0)
                r = -EBADMSG;
        if (r < 0)
                set_error(ret_error, xasprintf("content-address mismatch importing path '%s': its contents "
                                                  "do not have the %s hash its CA '%s' gives",
                                                  info->path, text ? "text" : recursive ? "NAR" : "file", ca));
        return r;
}

/* Fetches node's NAR into node->tmp and checks it. multi (HTTP) is the
 * calling thread's handle. */
static int import_one(ImportPool *pool, ImportNode *node, CURLM *multi) {
        const char *url = binary_cache_url(pool->cache);
        uint64_t start = now_usec();
        node_event(pool, node, BINARY_CACHE_NAR_STARTED, 0, 0);
        _cleanup_(nar_reader_freep) NarReader *reader = NULL;
        char *error = NULL;
        int r = nar_reader_open_on(pool->cache, node->info, multi, &reader, &error);
        if (r < 0) {
                node->error = xasprintf("importing '%s' from '%s': %s", node->path, url, error);
                free(error);
                goto finish;
        }
        ImportSource src = { .pool = pool, .reader = reader, .node = node, .start = start, .last_event = start };
        NarRestoreOptions opts = { .sync = false };
        Hash nar_hash;
        uint64_t nar_size = 0;
        r = nar_restore(pool->store->store_fd, node->tmp, import_source, &src, &opts, &nar_hash, &nar_size, &error);
        if (r < 0) {
                if (r != -ECANCELED || !atomic_load(&pool->failed)) {
                        const char *why = nar_reader_error(reader) ? nar_reader_error(reader) : error;
                        node->error = xasprintf("importing '%s' from '%s': %s", node->path, url,
                                                   why ? why : strerror(-r));
                }
                free(error);
                goto finish;
        }
        if (memcmp(nar_hash.bytes, node->info->nar_hash.bytes, hash_algo_size(HASH_SHA256)) != 0 ||
            nar_size != node->info->nar_size) {
                _cleanup_free_ char *want = hash_to_string(&node->info->nar_hash, HASH_FORMAT_BASE32);
                _cleanup_free_ char *got = hash_to_string(&nar_hash, HASH_FORMAT_BASE32);
                node->error = xasprintf("NAR hash mismatch importing path '%s' from '%s':\n"
                                           "  narinfo:  sha256:%s (%" PRIu64 " bytes)\n"
                                           "  NAR:      sha256:%s (%" PRIu64 " bytes)",
                                           node->path, url, want, node->info->nar_size, got, nar_size);
                r = -EBADMSG;
                goto finish;
        }
        if (node->info->ca) {
                r = check_ca(pool->store, node->tmp, node->info, &nar_hash, &error);
                if (r < 0)
                        node->error = error;
        }
finish:
        node_event(pool, node, r < 0 ? BINARY_CACHE_NAR_FAILED : BINARY_CACHE_NAR_DONE,
                   reader ? reader->raw_count : 0, now_usec() - start);
        return r;
}

static void pool_fail(ImportPool *pool) {
        pthread_mutex_lock(&pool->lock);
        atomic_store(&pool->failed, true);
        pthread_cond_broadcast(&pool->cond);
        pthread_mutex_unlock(&pool->lock);
}

static void *import_worker(void *userdata) {
        ImportPool *pool = userdata;
        /* One handle per thread: its connections serve the next NAR. */
        CURLM *multi = pool->cache->dir ? NULL : curl_multi_init();
        for (;;) {
                pthread_mutex_lock(&pool->lock);
                while (pool->next == pool->n_queued && !pool->closed && !atomic_load(&pool->failed))
                        pthread_cond_wait(&pool->cond, &pool->lock);
                ImportNode *node = NULL;
                if (pool->next < pool->n_queued && !atomic_load(&pool->failed))
                        node = pool->queue[pool->next++];
                pthread_mutex_unlock(&pool->lock);
                if (!node)
                        break;
                node->result = import_one(pool, node, multi);
                if (node->result < 0)
                        pool_fail(pool);
        }
        if (multi)
                curl_multi_cleanup(multi);
        return NULL;
}

/* Hands node to the fetchers (starting another thread while there are
 * fewer than NAR_JOBS). */
static void pool_push(ImportPool *pool, ImportNode *node) {
        pthread_mutex_lock(&pool->lock);
        if (pool->n_queued % 64 == 0)
                pool->queue = xrealloc(pool->queue, (pool->n_queued + 64) * sizeof(ImportNode *));
        pool->queue[pool->n_queued++] = node;
        pthread_cond_signal(&pool->cond);
        pthread_mutex_unlock(&pool->lock);
        if (pool->n_threads < NAR_JOBS &&
            pthread_create(&pool->threads[pool->n_threads], NULL, import_worker, pool) == 0)
                pool->n_threads++;
}

/* No more nodes: this thread helps with what is left, then all are done. */
static void pool_finish(ImportPool *pool) {
        pthread_mutex_lock(&pool->lock);
        pool->closed = true;
        pthread_cond_broadcast(&pool->cond);
        pthread_mutex_unlock(&pool->lock);
        import_worker(pool);
        for (size_t i = 0; i < pool->n_threads; i++)
                pthread_join(pool->threads[i], NULL);
        pool->n_threads = 0;
}

/* A set of strings (open addressing, FNV-1a). */
typedef struct StrSet {
        char **slots;
        size_t cap, n;
} StrSet;

static uint64_t str_hash(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

/* Adds s; returns false when it was there. */
static bool strset_add(StrSet *set, const char *s) {
        if (2 * (set->n + 1) > set->cap) {
                size_t cap = set->cap ? set->cap * 2 : 64;
                char **slots = xcalloc(cap, sizeof(char *));
                for (size_t i = 0; i < set->cap; i++)
                        if (set->slots[i]) {
                                size_t k = str_hash(set->slots[i]) & (cap - 1);
                                while (slots[k])
                                        k = (k + 1) & (cap - 1);
                                slots[k] = set->slots[i];
                        }
                free(set->slots);
                set->slots = slots;
                set->cap = cap;
        }
        size_t k = str_hash(s) & (set->cap - 1);
        while (set->slots[k]) {
                if (strcmp(set->slots[k], s) == 0)
                        return false;
                k = (k + 1) & (set->cap - 1);
        }
        set->slots[k] = xstrdup(s);
        set->n++;
        return true;
}

static void strset_done(StrSet *set) {
        for (size_t i = 0; i < set->cap; i++)
                free(set->slots[i]);
        free(set->slots);
        *set = (StrSet) {};
}

static void import_nodes_free(ImportNode **nodes, size_t n, Store *store) {
        for (size_t i = 0; i < n; i++) {
                ImportNode *node = nodes[i];
                if (node->tmp)
                        rm_rf(store->store_fd, node->tmp, NULL);
                free(node->path);
                free(node->parent);
                narinfo_free(node->info);
                free(node->tmp);
                strv_free(node->refs);
                free(node->error);
                free(node);
        }
        free(nodes);
}

/* The walk along the references: narinfos requested as soon as a path is
 * seen, each checked as it arrives and its path handed to the fetchers. */
typedef struct ImportWalk {
        Store *store;
        BinaryCache *cache;
        const TrustedKeys *keys;
        ImportPool *pool;
        StrSet seen;
        ImportNode **nodes;
        size_t n;
        int r;             /* the first failure */
        char *error;
        /* file://: the requests not read yet */
        char **pending, **pending_parents;
        size_t pending_next;
        /* HTTP */
        CURLM *multi;
        Transfer **active;
        size_t n_active;
        size_t n_requested;  /* transfers ever added */
} ImportWalk;

static void walk_fail(ImportWalk *w, int r, char *error) {
        if (w->r >= 0) {
                w->r = r;
                w->error = error;
        } else
                free(error);
}

static void walk_request(ImportWalk *w, const char *path, const char *parent) {
        if (w->cache->dir) {
                w->pending = strv_push(w->pending, path);
                w->pending_parents = strv_push(w->pending_parents, parent ? parent : "");
                return;
        }
        _cleanup_free_ char *name = narinfo_name(path, w->store->store_dir);
        _cleanup_free_ char *url = cache_file_url(w->cache, name);
        Transfer *t = transfer_new(url, false, NARINFO_MAX_SIZE);
        if (!t) {
                walk_fail(w, -ENOMEM, xasprintf("creating a libcurl handle failed"));
                return;
        }
        t->path = xstrdup(path);
        t->parent = parent ? xstrdup(parent) : NULL;
        if (w->n_active % 64 == 0)
                w->active = xrealloc(w->active, (w->n_active + 64) * sizeof(Transfer *));
        w->active[w->n_active++] = t;
        w->n_requested++;
        curl_multi_add_handle(w->multi, t->easy);
}

/* Protects path with a temporary root and, unless it is valid, asks the
 * cache for its narinfo. */
static void walk_visit(ImportWalk *w, const char *path, const char *parent) {
        if (w->r < 0 || !strset_add(&w->seen, path))
                return;
        int r = store_add_temp_root(w->store, path);
        if (r < 0) {
                walk_fail(w, r, xasprintf("adding a temporary root for '%s': %s", path, strerror(-r)));
                return;
        }
        r = store_is_valid(w->store, path);
        if (r < 0) {
                walk_fail(w, r, xasprintf("querying '%s': %s", path, strerror(-r)));
                return;
        }
        if (r == 0)
                walk_request(w, path, parent);
}

/* The narinfo of path arrived (data), or fetch_r says why not. */
static void walk_got(ImportWalk *w, const char *path, const char *parent, const char *data, size_t len,
                     int fetch_r, char *fetch_error) {
        const char *url = w->cache->url;
        if (w->r < 0) {
                free(fetch_error);
                return;
        }
        if (fetch_r == -ENOENT) {
                free(fetch_error);
                if (parent && *parent)
                        walk_fail(w, -ENOENT, xasprintf("path '%s' is not available in binary cache '%s' (it is a "
                                                        "reference of '%s')",
                                                        path, url, parent));
                else
                        walk_fail(w, -ENOENT, xasprintf("path '%s' is not available in binary cache '%s'", path,
                                                        url));
                return;
        }
        if (fetch_r < 0) {
                walk_fail(w, fetch_r, fetch_error);
                return;
        }
        _cleanup_free_ char *name = narinfo_name(path, w->store->store_dir);
        NarInfo *info = NULL;
        char *error = NULL;
        int r = parse_fetched_narinfo(w->cache, name, data, len, w->store->store_dir, &info, &error);
        if (r < 0) {
                walk_fail(w, r, error);
                return;
        }
        if (strcmp(info->path, path) != 0) {
                walk_fail(w, -EBADMSG, xasprintf("the narinfo of '%s' in '%s' describes '%s'", path, url,
                                                 info->path));
                narinfo_free(info);
                return;
        }
        if (w->keys) {
                r = narinfo_check_sigs(info, w->keys, w->store->store_dir, &error);
                if (r < 0) {
                        walk_fail(w, r, error);
                        narinfo_free(info);
                        return;
                }
        }
        if (w->n >= IMPORT_MAX_PATHS) {
                walk_fail(w, -E2BIG, xasprintf("the closure of the paths in '%s' has more than %u paths", url,
                                               IMPORT_MAX_PATHS));
                narinfo_free(info);
                return;
        }
        ImportNode *node = xcalloc(1, sizeof(*node));
        *node = (ImportNode) { .path = xstrdup(path), .info = info };
        if (parent && *parent)
                node->parent = xstrdup(parent);
        if (w->n % 64 == 0)
                w->nodes = xrealloc(w->nodes, (w->n + 64) * sizeof(ImportNode *));
        w->nodes[w->n++] = node;
        for (size_t k = 0; info->references && info->references[k]; k++)
                node->refs = strv_consume(node->refs, xasprintf("%s/%s", w->store->store_dir, info->references[k]));

        /* Its temporary name, protected, then off to the fetchers. */
        char *tmp = xasprintf(".tmp-firn-%d-%u", (int) getpid(), w->store->tmp_counter++);
        _cleanup_free_ char *logical = xasprintf("%s/%s", w->store->store_dir, tmp);
        r = store_add_temp_root(w->store, logical);
        if (r < 0) {
                walk_fail(w, r, xasprintf("adding a temporary root: %s", strerror(-r)));
                free(tmp);
                return;
        }
        /* Whatever is there was left by a dead process that had our pid. */
        rm_rf(w->store->store_fd, tmp, NULL);
        node->tmp = tmp;
        node_event(w->pool, node, BINARY_CACHE_NAR_QUEUED, 0, 0);
        pool_push(w->pool, node);

        for (size_t k = 0; node->refs && node->refs[k]; k++)
                if (strcmp(node->refs[k], node->path) != 0)
                        walk_visit(w, node->refs[k], node->path);
}

static void walk_run_files(ImportWalk *w) {
        while (w->r >= 0 && !atomic_load(&w->pool->failed) && w->pending && w->pending[w->pending_next]) {
                size_t i = w->pending_next++;
                _cleanup_free_ char *name = narinfo_name(w->pending[i], w->store->store_dir);
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                char *error = NULL;
                int r = binary_cache_get_file(w->cache, name, NARINFO_MAX_SIZE, &data, &len, &error);
                /* walk_got may grow the lists: copy the strings first. */
                _cleanup_free_ char *path = xstrdup(w->pending[i]);
                _cleanup_free_ char *parent = xstrdup(w->pending_parents[i]);
                walk_got(w, path, parent, data, len, r, error);
        }
}

static void walk_run_http(ImportWalk *w) {
        while (w->r >= 0 && !atomic_load(&w->pool->failed) && w->n_active > 0) {
                int running = 0;
                CURLMcode mc = curl_multi_perform(w->multi, &running);
                CURLMsg *msg;
                int left;
                size_t requested = w->n_requested;
                while (mc == CURLM_OK && (msg = curl_multi_info_read(w->multi, &left))) {
                        if (msg->msg != CURLMSG_DONE)
                                continue;
                        Transfer *t = NULL;
                        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
                        t->done = true;
                        t->result = msg->data.result;
                        curl_multi_remove_handle(w->multi, t->easy);
                        for (size_t i = 0; i < w->n_active; i++)
                                if (w->active[i] == t) {
                                        w->active[i] = w->active[--w->n_active];
                                        break;
                                }
                        char *error = NULL;
                        int r = transfer_result(t, &error);
                        walk_got(w, t->path, t->parent, t->body.buf, t->body.len, r, error);
                        transfer_free(t);
                }
                /* New requests (the references just seen) start at once;
                 * otherwise wait for the sockets. */
                if (mc == CURLM_OK && w->r >= 0 && w->n_active > 0 && w->n_requested == requested)
                        mc = curl_multi_poll(w->multi, NULL, 0, 1000, NULL);
                if (mc != CURLM_OK)
                        walk_fail(w, -EIO, xasprintf("libcurl: %s", curl_multi_strerror(mc)));
        }
        for (size_t i = 0; i < w->n_active; i++) {
                curl_multi_remove_handle(w->multi, w->active[i]->easy);
                transfer_free(w->active[i]);
        }
        w->n_active = 0;
}

int store_import_paths_from_cache(Store *store, BinaryCache *cache, char *const *paths, const TrustedKeys *keys,
                                  char ***ret_imported, char **ret_error) {
        const char *url = binary_cache_url(cache);
        int r = binary_cache_read_info(cache, store->store_dir, NULL, ret_error);
        if (r < 0)
                return r;

        ImportPool pool = { .store = store, .cache = cache };
        pthread_mutex_init(&pool.lock, NULL);
        pthread_cond_init(&pool.cond, NULL);
        atomic_init(&pool.failed, false);
        ImportWalk w = { .store = store, .cache = cache, .keys = keys, .pool = &pool };
        if (!cache->dir) {
                w.multi = curl_multi_init();
                if (!w.multi)
                        walk_fail(&w, -ENOMEM, xasprintf("creating a libcurl handle failed"));
                else
                        curl_multi_setopt(w.multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long) HTTP_CONNECTIONS);
        }
        for (size_t i = 0; w.r >= 0 && paths && paths[i]; i++) {
                if (!hash_part_of(paths[i], store->store_dir))
                        walk_fail(&w, -EINVAL, xasprintf("'%s' is not a store path in %s", paths[i],
                                                         store->store_dir));
                else
                        walk_visit(&w, paths[i], NULL);
        }
        if (cache->dir)
                walk_run_files(&w);
        else if (w.multi)
                walk_run_http(&w);
        if (w.multi)
                curl_multi_cleanup(w.multi);
        strv_free(w.pending);
        strv_free(w.pending_parents);
        free(w.active);
        strset_done(&w.seen);
        if (w.r < 0)
                pool_fail(&pool);
        pool_finish(&pool);
        pthread_cond_destroy(&pool.cond);
        pthread_mutex_destroy(&pool.lock);
        free(pool.queue);

        ImportNode **nodes = w.nodes;
        size_t n = w.n;
        r = w.r;
        if (r < 0)
                set_error(ret_error, TAKE_PTR(w.error));

        if (r >= 0 && n > 0) {
                /* References first; fetch errors are reported in that order too. */
                _cleanup_free_ char **names = xcalloc(n, sizeof(char *));
                _cleanup_free_ char ***refs = xcalloc(n, sizeof(char **));
                for (size_t i = 0; i < n; i++) {
                        names[i] = nodes[i]->path;
                        refs[i] = nodes[i]->refs;
                }
                _cleanup_free_ size_t *order = xcalloc(n, sizeof(size_t));
                if (topo_sort(names, refs, n, order) < 0) {
                        set_error(ret_error, xasprintf("the references of the paths in '%s' form a cycle", url));
                        r = -ELOOP;
                } else {
                        ImportNode **sorted = xcalloc(n, sizeof(ImportNode *));
                        for (size_t k = 0; k < n; k++)
                                sorted[k] = nodes[order[k]];
                        free(nodes);
                        nodes = sorted;
                }
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (nodes[i]->result < 0 && nodes[i]->error) {
                        r = nodes[i]->result;
                        set_error(ret_error, TAKE_PTR(nodes[i]->error));
                }
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (nodes[i]->result < 0) {
                        r = nodes[i]->result;
                        set_error(ret_error, xasprintf("importing '%s': %s", nodes[i]->path, strerror(-r)));
                }
        if (r >= 0 && n > 0) {
                _cleanup_free_ char **tmps = xcalloc(n, sizeof(char *));
                _cleanup_free_ PathInfo **pinfos = xcalloc(n, sizeof(PathInfo *));
                for (size_t k = 0; k < n; k++) {
                        const NarInfo *ni = nodes[k]->info;
                        PathInfo *pi = path_info_new(nodes[k]->path);
                        pi->nar_hash = ni->nar_hash;
                        pi->nar_size = ni->nar_size;
                        if (ni->deriver)
                                pi->deriver = xasprintf("%s/%s", store->store_dir, ni->deriver);
                        if (ni->sigs) {
                                StrBuf sb = STRBUF_INIT;
                                for (size_t s = 0; ni->sigs[s]; s++)
                                        strbuf_addf(&sb, "%s%s", s > 0 ? " " : "", ni->sigs[s]);
                                pi->sigs = strbuf_detach(&sb, NULL);
                        }
                        if (ni->ca)
                                pi->ca = xstrdup(ni->ca);
                        for (size_t s = 0; nodes[k]->refs && nodes[k]->refs[s]; s++)
                                pi->references = strv_push(pi->references, nodes[k]->refs[s]);
                        strv_sort_unique(pi->references);
                        pinfos[k] = pi;
                        tmps[k] = nodes[k]->tmp;
                }
                r = store_install_restored(store, tmps, pinfos, n, ret_error);
                for (size_t k = 0; k < n; k++)
                        path_info_free(pinfos[k]);
        }
        if (r >= 0 && ret_imported) {
                char **imported = NULL;
                for (size_t k = 0; k < n; k++)
                        imported = strv_push(imported, nodes[k]->path);
                *ret_imported = imported;
        }
        import_nodes_free(nodes, n, store);
        return r < 0 ? r : 0;
}

int store_import_from_cache(Store *store, BinaryCache *cache, const char *path, const TrustedKeys *keys,
                            char **ret_error) {
        char *one[] = { (char *) path, NULL };
        return store_import_paths_from_cache(store, cache, one, keys, NULL, ret_error);
}
