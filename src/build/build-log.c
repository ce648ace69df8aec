#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build-log.h"
#include "cleanup.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

/* bzip2 compresses in blocks of 100,000 to 900,000 bytes; a log that fits
 * in one small block comes out the same at every level, and level 9's
 * 7.6 MB of tables cost a millisecond per build even for a line. So the
 * log is kept in memory until it outgrows a level-1 block. */
#define SMALL_LOG_MAX 100000

struct BuildLog {
        FILE *file;
        BZFILE *bz;            /* once the log is larger than SMALL_LOG_MAX */
        StrBuf head;           /* until then */
        char *tmp_path, *final_path;
        /* The last lines: a ring of BUILD_LOG_TAIL_LINES + 1 buffers, the
         * current (partial) line at `cur`. */
        StrBuf lines[BUILD_LOG_TAIL_LINES + 1];
        unsigned cur, count;
};

static char *log_file_path(Store *store, const char *drv_path, char **ret_dir) {
        const char *base = store_path_base(store, drv_path);
        _cleanup_free_ char *dir = store_log_dir(store);
        StrBuf d = STRBUF_INIT, f = STRBUF_INIT;
        strbuf_addf(&d, "%s/drvs/%.2s", dir, base ? base : "xx");
        strbuf_addf(&f, "%s/%s.bz2", d.buf, base ? base + 2 : "unknown");
        *ret_dir = strbuf_detach(&d, NULL);
        return strbuf_detach(&f, NULL);
}

BuildLog *build_log_open(Store *store, const char *drv_path) {
        BuildLog *log = xcalloc(1, sizeof(*log));
        log->head = (StrBuf) STRBUF_INIT;
        for (unsigned i = 0; i <= BUILD_LOG_TAIL_LINES; i++)
                log->lines[i] = (StrBuf) STRBUF_INIT;
        _cleanup_free_ char *dir = NULL;
        log->final_path = log_file_path(store, drv_path, &dir);
        StrBuf tmp = STRBUF_INIT;
        strbuf_addf(&tmp, "%s.tmp-%d", log->final_path, (int) getpid());
        log->tmp_path = strbuf_detach(&tmp, NULL);
        if (mkdir_p(AT_FDCWD, dir, 0755) >= 0)
                log->file = fopen(log->tmp_path, "we");
        return log;
}

/* Starts the compressed stream (level is the block size in 100 kB) and
 * writes what was kept in memory. */
static void log_compress_start(BuildLog *log, int level) {
        int bzerr;
        log->bz = BZ2_bzWriteOpen(&bzerr, log->file, level, 0, 0);
        if (bzerr != BZ_OK) {
                /* No log file then (the tail stays in memory). */
                log->bz = NULL;
                fclose(log->file);
                log->file = NULL;
                unlink(log->tmp_path);
                strbuf_release(&log->head);
                return;
        }
        if (log->head.len)
                BZ2_bzWrite(&bzerr, log->bz, log->head.buf, (int) log->head.len);
        strbuf_release(&log->head);
}

void build_log_write(BuildLog *log, const void *data, size_t len) {
        if (log->file && !log->bz && len) {
                if (log->head.len + len <= SMALL_LOG_MAX)
                        strbuf_add(&log->head, data, len);
                else
                        log_compress_start(log, 9);
        }
        if (log->bz && len) {
                int bzerr;
                BZ2_bzWrite(&bzerr, log->bz, (void *) data, (int) len);
        }
        const char *p = data, *end = p + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
                StrBuf *line = &log->lines[log->cur];
                if (line->len < 4096) /* bound one line's memory */
                        strbuf_add(line, p, n < 4096 - line->len ? n : 4096 - line->len);
                p += n;
                if (nl) {
                        p++;
                        log->cur = (log->cur + 1) % (BUILD_LOG_TAIL_LINES + 1);
                        strbuf_reset(&log->lines[log->cur]);
                        if (log->count < BUILD_LOG_TAIL_LINES)
                                log->count++;
                }
        }
}

char *build_log_tail(const BuildLog *log, unsigned n, const char *prefix) {
        unsigned total = log->count + (log->lines[log->cur].len > 0);
        if (n > BUILD_LOG_TAIL_LINES)
                n = BUILD_LOG_TAIL_LINES;
        if (n > total)
                n = total;
        StrBuf sb = STRBUF_INIT;
        unsigned ring = BUILD_LOG_TAIL_LINES + 1;
        /* The newest line is cur if partial, else the one before it. */
        unsigned last = log->lines[log->cur].len > 0 ? log->cur : (log->cur + ring - 1) % ring;
        for (unsigned i = n; i-- > 0;) {
                const StrBuf *line = &log->lines[(last + ring - i) % ring];
                strbuf_addf(&sb, "%s%s\n", prefix, line->buf);
        }
        return strbuf_detach(&sb, NULL);
}

void build_log_close(BuildLog *log) {
        if (!log)
                return;
        int bzerr;
        if (log->file && !log->bz)
                log_compress_start(log, 1);
        if (log->bz)
                BZ2_bzWriteClose(&bzerr, log->bz, 0, NULL, NULL);
        if (log->file) {
                /* Not synced: a log is not part of the store's consistency. */
                fclose(log->file);
                rename(log->tmp_path, log->final_path);
        }
        strbuf_release(&log->head);
        for (unsigned i = 0; i <= BUILD_LOG_TAIL_LINES; i++)
                strbuf_release(&log->lines[i]);
        free(log->tmp_path);
        free(log->final_path);
        free(log);
}

int build_log_read(Store *store, const char *drv_path, char **ret_data, size_t *ret_len) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_free_ char *path = log_file_path(store, drv_path, &dir);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        int bzerr;
        BZFILE *bz = BZ2_bzReadOpen(&bzerr, f, 0, 0, NULL, 0);
        if (bzerr != BZ_OK)
                return -EIO;
        StrBuf sb = STRBUF_INIT;
        char buf[65536];
        for (;;) {
                int n = BZ2_bzRead(&bzerr, bz, buf, sizeof(buf));
                if (n > 0)
                        strbuf_add(&sb, buf, (size_t) n);
                if (bzerr == BZ_STREAM_END)
                        break;
                if (bzerr != BZ_OK) {
                        BZ2_bzReadClose(&bzerr, bz);
                        strbuf_release(&sb);
                        return -EIO;
                }
        }
        BZ2_bzReadClose(&bzerr, bz);
        *ret_data = strbuf_detach(&sb, ret_len);
        return 0;
}

/* ---- progress ------------------------------------------------------------ */

/* The live line is redrawn at most this often for download progress. */
#define BAR_INTERVAL_USEC 100000u
#define JSON_PROGRESS_INTERVAL_USEC 1000000u

typedef struct ActiveDownload {
        char *key;            /* path, else url */
        uint64_t bytes;
        uint64_t last_json;   /* usec of its last JSON "progress" */
} ActiveDownload;

struct Progress {
        FILE *f;
        BuildLogFormat format;
        pthread_mutex_t lock;
        bool bar_shown;
        uint64_t last_bar;
        char *current;        /* what the live line names last */
        unsigned builds_done, builds_total, builds_running;
        /* Downloads */
        unsigned dl_queued, dl_done, dl_failed;
        uint64_t dl_expected;  /* sum of the known expected sizes */
        uint64_t dl_bytes;     /* bytes of the finished ones */
        uint64_t dl_start;     /* now_usec() of the first start, 0 before */
        ActiveDownload *active;
        size_t n_active;
};

static uint64_t progress_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

Progress *progress_new(FILE *f, BuildLogFormat format) {
        Progress *p = xcalloc(1, sizeof(*p));
        p->f = f;
        p->format = format;
        pthread_mutex_init(&p->lock, NULL);
        return p;
}

static void bar_clear(Progress *p) {
        if (p->bar_shown)
                fputs("\r\033[K", p->f);
        p->bar_shown = false;
}

Progress *progress_free(Progress *p) {
        if (!p)
                return NULL;
        if (p->f && p->format == BUILD_LOG_BAR) {
                bar_clear(p);
                fflush(p->f);
        }
        for (size_t i = 0; i < p->n_active; i++)
                free(p->active[i].key);
        free(p->active);
        free(p->current);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
}

/* "1.2 MiB" */
static void add_size(StrBuf *sb, uint64_t n) {
        static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
        double v = (double) n;
        size_t u = 0;
        while (v >= 1024.0 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024.0;
                u++;
        }
        if (u == 0)
                strbuf_addf(sb, "%" PRIu64 " B", n);
        else
                strbuf_addf(sb, "%.1f %s", v, units[u]);
}

static uint64_t active_bytes(const Progress *p) {
        uint64_t n = 0;
        for (size_t i = 0; i < p->n_active; i++)
                n += p->active[i].bytes;
        return n;
}

static void bar_draw(Progress *p) {
        StrBuf sb = STRBUF_INIT;
        if (p->builds_total || !p->dl_queued)
                strbuf_addf(&sb, "[%u/%u built, %u running] ", p->builds_done, p->builds_total, p->builds_running);
        if (p->dl_queued) {
                uint64_t now = progress_now();
                uint64_t bytes = p->dl_bytes + active_bytes(p);
                strbuf_addf(&sb, "[%u/%u copied, ", p->dl_done, p->dl_queued);
                add_size(&sb, bytes);
                if (p->dl_expected > bytes) {
                        strbuf_adds(&sb, " of ");
                        add_size(&sb, p->dl_expected);
                }
                if (p->dl_start && now > p->dl_start) {
                        strbuf_adds(&sb, ", ");
                        add_size(&sb, (uint64_t) ((double) bytes * 1e6 / (double) (now - p->dl_start)));
                        strbuf_adds(&sb, "/s");
                }
                strbuf_adds(&sb, "] ");
        }
        if (p->current)
                strbuf_adds(&sb, p->current);
        fprintf(p->f, "\r\033[K%s", sb.buf);
        fflush(p->f);
        strbuf_release(&sb);
        p->bar_shown = true;
        p->last_bar = progress_now();
}

static void set_current(Progress *p, const char *what) {
        free(p->current);
        p->current = what ? xstrdup(what) : NULL;
}

static void json_string_to(FILE *f, const char *s) {
        fputc('"', f);
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        fprintf(f, "\\%c", *s);
                else if ((unsigned char) *s < 0x20)
                        fprintf(f, "\\u%04x", *s);
                else
                        fputc(*s, f);
        }
        fputc('"', f);
}

void progress_set_builds(Progress *p, unsigned done, unsigned total, unsigned running) {
        pthread_mutex_lock(&p->lock);
        p->builds_done = done;
        p->builds_total = total;
        p->builds_running = running;
        pthread_mutex_unlock(&p->lock);
}

void progress_build_event(Progress *p, const char *event, const char *drv_path, const char *name) {
        if (!p->f)
                return;
        pthread_mutex_lock(&p->lock);
        switch (p->format) {
        case BUILD_LOG_JSON:
                fprintf(p->f, "{\"action\":\"%s\",\"drv\":", event);
                json_string_to(p->f, drv_path);
                fprintf(p->f, ",\"done\":%u,\"total\":%u,\"running\":%u}\n", p->builds_done, p->builds_total,
                        p->builds_running);
                break;
        case BUILD_LOG_BAR:
                set_current(p, name);
                bar_draw(p);
                break;
        case BUILD_LOG_PLAIN:
                if (strcmp(event, "start") == 0)
                        fprintf(p->f, "building '%s'...\n", drv_path);
                break;
        }
        fflush(p->f);
        pthread_mutex_unlock(&p->lock);
}

void progress_build_output(Progress *p, const char *drv_path, const char *name, const char *data, size_t len) {
        if (!p->f)
                return;
        pthread_mutex_lock(&p->lock);
        if (p->format == BUILD_LOG_JSON) {
                /* One object per chunk; lines are kept as they came. */
                char *s = xstrndup(data, len);
                fputs("{\"action\":\"log\",\"drv\":", p->f);
                json_string_to(p->f, drv_path);
                fputs(",\"text\":", p->f);
                json_string_to(p->f, s);
                fputs("}\n", p->f);
                free(s);
        } else {
                bar_clear(p);
                fprintf(p->f, "%s> %.*s", name, (int) len, data);
                if (len && data[len - 1] != '\n')
                        fputc('\n', p->f);
                if (p->format == BUILD_LOG_BAR)
                        bar_draw(p);
        }
        fflush(p->f);
        pthread_mutex_unlock(&p->lock);
}

void progress_message(Progress *p, const char *fmt, ...) {
        if (!p->f)
                return;
        pthread_mutex_lock(&p->lock);
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        if (p->format == BUILD_LOG_JSON) {
                fputs("{\"action\":\"msg\",\"text\":", p->f);
                json_string_to(p->f, sb.buf);
                fputs("}\n", p->f);
        } else {
                bar_clear(p);
                fprintf(p->f, "%s\n", sb.buf);
                if (p->format == BUILD_LOG_BAR && (p->builds_total || p->dl_queued))
                        bar_draw(p);
        }
        fflush(p->f);
        strbuf_release(&sb);
        pthread_mutex_unlock(&p->lock);
}

static ActiveDownload *active_find(Progress *p, const char *key, bool create) {
        for (size_t i = 0; i < p->n_active; i++)
                if (strcmp(p->active[i].key, key) == 0)
                        return &p->active[i];
        if (!create)
                return NULL;
        p->active = xrealloc(p->active, (p->n_active + 1) * sizeof(ActiveDownload));
        p->active[p->n_active] = (ActiveDownload) { .key = xstrdup(key) };
        return &p->active[p->n_active++];
}

static void active_remove(Progress *p, ActiveDownload *a) {
        free(a->key);
        *a = p->active[--p->n_active];
}

static const char *const download_state_names[] = {
        [PROGRESS_DOWNLOAD_QUEUED] = "queued",     [PROGRESS_DOWNLOAD_STARTED] = "start",
        [PROGRESS_DOWNLOAD_PROGRESS] = "progress", [PROGRESS_DOWNLOAD_DONE] = "done",
        [PROGRESS_DOWNLOAD_FAILED] = "failed",
};

static uint64_t rate_of(uint64_t bytes, uint64_t usec) {
        return usec ? (uint64_t) ((double) bytes * 1e6 / (double) usec) : 0;
}

static void download_json(Progress *p, const ProgressDownload *d) {
        FILE *f = p->f;
        fprintf(f, "{\"action\":\"download\",\"state\":\"%s\"", download_state_names[d->state]);
        if (d->path) {
                fputs(",\"path\":", f);
                json_string_to(f, d->path);
                if (d->url) {
                        fputs(",\"from\":", f);
                        json_string_to(f, d->url);
                }
        } else if (d->url) {
                fputs(",\"url\":", f);
                json_string_to(f, d->url);
        }
        fprintf(f, ",\"bytes\":%" PRIu64, d->bytes);
        if (d->expected)
                fprintf(f, ",\"expected\":%" PRIu64, d->expected);
        if (d->nar_size)
                fprintf(f, ",\"narSize\":%" PRIu64, d->nar_size);
        if (d->state >= PROGRESS_DOWNLOAD_PROGRESS) {
                fprintf(f, ",\"seconds\":%.6f", (double) d->usec / 1e6);
                if (d->usec)
                        fprintf(f, ",\"rate\":%" PRIu64, rate_of(d->bytes, d->usec));
        }
        fputs("}\n", f);
}

static void download_plain(Progress *p, const ProgressDownload *d) {
        StrBuf sb = STRBUF_INIT;
        if (d->path)
                strbuf_addf(&sb, "%s path '%s'", d->state == PROGRESS_DOWNLOAD_DONE ? "copied" : "failed to copy",
                            d->path);
        else
                strbuf_addf(&sb, "%s '%s'", d->state == PROGRESS_DOWNLOAD_DONE ? "downloaded" : "failed to download",
                            d->url ? d->url : "?");
        if (d->path && d->url)
                strbuf_addf(&sb, " from '%s'", d->url);
        strbuf_adds(&sb, " (");
        add_size(&sb, d->bytes);
        if (d->nar_size && d->nar_size != d->bytes) {
                strbuf_adds(&sb, ", ");
                add_size(&sb, d->nar_size);
                strbuf_adds(&sb, " unpacked");
        }
        strbuf_addf(&sb, ", %.2f s", (double) d->usec / 1e6);
        if (d->usec) {
                strbuf_adds(&sb, ", ");
                add_size(&sb, rate_of(d->bytes, d->usec));
                strbuf_adds(&sb, "/s");
        }
        strbuf_adds(&sb, ")");
        fprintf(p->f, "%s\n", sb.buf);
        strbuf_release(&sb);
}

void progress_download(Progress *p, const ProgressDownload *d) {
        if (!p)
                return;
        pthread_mutex_lock(&p->lock);
        const char *key = d->path ? d->path : d->url ? d->url : "";
        uint64_t now = progress_now();
        ActiveDownload *a = NULL;
        bool redraw, json = true;
        switch (d->state) {
        case PROGRESS_DOWNLOAD_QUEUED:
                p->dl_queued++;
                p->dl_expected += d->expected;
                break;
        case PROGRESS_DOWNLOAD_STARTED:
                if (!p->dl_start)
                        p->dl_start = now;
                a = active_find(p, key, true);
                a->bytes = 0;
                a->last_json = now;
                break;
        case PROGRESS_DOWNLOAD_PROGRESS:
                a = active_find(p, key, true);
                a->bytes = d->bytes;
                json = now - a->last_json >= JSON_PROGRESS_INTERVAL_USEC;
                if (json)
                        a->last_json = now;
                break;
        case PROGRESS_DOWNLOAD_DONE:
        case PROGRESS_DOWNLOAD_FAILED:
                if ((a = active_find(p, key, false)))
                        active_remove(p, a);
                p->dl_bytes += d->bytes;
                if (d->state == PROGRESS_DOWNLOAD_DONE)
                        p->dl_done++;
                else
                        p->dl_failed++;
                break;
        }
        /* Many small paths would redraw the line thousands of times; the
         * last one to finish shows the totals. */
        redraw = now - p->last_bar >= BAR_INTERVAL_USEC || p->dl_done + p->dl_failed == p->dl_queued;
        if (p->f) {
                switch (p->format) {
                case BUILD_LOG_JSON:
                        if (json)
                                download_json(p, d);
                        break;
                case BUILD_LOG_PLAIN:
                        if (d->state == PROGRESS_DOWNLOAD_DONE || d->state == PROGRESS_DOWNLOAD_FAILED)
                                download_plain(p, d);
                        break;
                case BUILD_LOG_BAR:
                        if (d->state == PROGRESS_DOWNLOAD_STARTED || d->state == PROGRESS_DOWNLOAD_PROGRESS) {
                                const char *base = d->path ? strrchr(d->path, '/') : NULL;
                                set_current(p, base ? base + 1 : key);
                        }
                        if (redraw)
                                bar_draw(p);
                        break;
                }
                fflush(p->f);
        }
        pthread_mutex_unlock(&p->lock);
}

void progress_cache_event(void *progress, const BinaryCacheEvent *ev) {
        static const ProgressDownloadState states[] = {
                [BINARY_CACHE_NAR_QUEUED] = PROGRESS_DOWNLOAD_QUEUED,
                [BINARY_CACHE_NAR_STARTED] = PROGRESS_DOWNLOAD_STARTED,
                [BINARY_CACHE_NAR_PROGRESS] = PROGRESS_DOWNLOAD_PROGRESS,
                [BINARY_CACHE_NAR_DONE] = PROGRESS_DOWNLOAD_DONE,
                [BINARY_CACHE_NAR_FAILED] = PROGRESS_DOWNLOAD_FAILED,
        };
        ProgressDownload d = {
                .state = states[ev->kind],
                .path = ev->path,
                .url = ev->url,
                .bytes = ev->bytes,
                .expected = ev->file_size,
                .nar_size = ev->nar_size,
                .usec = ev->usec,
        };
        progress_download(progress, &d);
}

void progress_download_totals(Progress *p, unsigned *ret_done, uint64_t *ret_bytes, uint64_t *ret_usec) {
        pthread_mutex_lock(&p->lock);
        *ret_done = p->dl_done;
        *ret_bytes = p->dl_bytes;
        *ret_usec = p->dl_start ? progress_now() - p->dl_start : 0;
        pthread_mutex_unlock(&p->lock);
}

/* "D STATE BYTES EXPECTED NARSIZE USEC URL\n", space-separated; the URL
 * (last, without whitespace) is what a download is known by. */
void progress_download_send(int fd, const ProgressDownload *d) {
        if (fd <= 0) /* 0 too: a zero-initialised context; stdin is never the pipe */
                return;
        const char *url = d->url ? d->url : "";
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "D %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " ", (int) d->state, d->bytes,
                    d->expected, d->nar_size, d->usec);
        for (const char *s = url; *s; s++)
                strbuf_addc(&sb, (unsigned char) *s <= ' ' ? '_' : *s);
        strbuf_addc(&sb, '\n');
        (void) fd_write_all(fd, sb.buf, sb.len);
        strbuf_release(&sb);
}

int progress_download_parse(char *line, ProgressDownload *ret) {
        int state, used = 0;
        uint64_t bytes, expected, nar_size, usec;
        if (sscanf(line, "D %d %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %n", &state, &bytes, &expected,
                   &nar_size, &usec, &used) != 5 ||
            used == 0 || state < PROGRESS_DOWNLOAD_QUEUED || state > PROGRESS_DOWNLOAD_FAILED)
                return -EBADMSG;
        *ret = (ProgressDownload) {
                .state = (ProgressDownloadState) state,
                .url = line + used,
                .bytes = bytes,
                .expected = expected,
                .nar_size = nar_size,
                .usec = usec,
        };
        return 0;
}
