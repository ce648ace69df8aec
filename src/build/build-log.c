#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-log.h"
#include "cleanup.h"
#include "fileio.h"
#include "strbuf.h"
#include "xalloc.h"

struct BuildLog {
        FILE *file;
        BZFILE *bz;
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
        for (unsigned i = 0; i <= BUILD_LOG_TAIL_LINES; i++)
                log->lines[i] = (StrBuf) STRBUF_INIT;
        _cleanup_free_ char *dir = NULL;
        log->final_path = log_file_path(store, drv_path, &dir);
        StrBuf tmp = STRBUF_INIT;
        strbuf_addf(&tmp, "%s.tmp-%d", log->final_path, (int) getpid());
        log->tmp_path = strbuf_detach(&tmp, NULL);
        if (mkdir_p(AT_FDCWD, dir, 0755) >= 0)
                log->file = fopen(log->tmp_path, "we");
        if (log->file) {
                int bzerr;
                log->bz = BZ2_bzWriteOpen(&bzerr, log->file, 9, 0, 0);
                if (bzerr != BZ_OK)
                        log->bz = NULL;
        }
        return log;
}

void build_log_write(BuildLog *log, const void *data, size_t len) {
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
        if (log->bz)
                BZ2_bzWriteClose(&bzerr, log->bz, 0, NULL, NULL);
        if (log->file) {
                /* Not synced: a log is not part of the store's consistency. */
                fclose(log->file);
                rename(log->tmp_path, log->final_path);
        }
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
