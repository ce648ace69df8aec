/* libFuzzer target: NAR validation and restore on arbitrary bytes.
 * nar_validate() and nar_restore() (into a fresh temporary directory, fed
 * in small odd chunks) must agree, code and message, unless the restore
 * runs out of a resource; a failed restore leaves nothing; a successful one
 * returns the input's SHA-256 and size, and the tree it wrote dumps back to
 * the input byte for byte (the grammar admits one NAR per tree). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "hash.h"
#include "nar-restore.h"
#include "nar.h"
#include "strbuf.h"

typedef struct ChunkSource {
        const uint8_t *data;
        size_t len, pos, calls;
} ChunkSource;

/* 1, 2, ... 61 bytes at a time: every token boundary lands somewhere. */
static ssize_t chunk_source(void *userdata, void *buf, size_t len) {
        ChunkSource *c = userdata;
        size_t n = c->len - c->pos, chunk = 1 + c->calls++ % 61;

        if (n > chunk)
                n = chunk;
        if (n > len)
                n = len;
        if (n > 0)
                memcpy(buf, c->data + c->pos, n);
        c->pos += n;
        return (ssize_t) n;
}

static int strbuf_sink(void *userdata, const void *data, size_t len) {
        strbuf_add(userdata, data, len);
        return 0;
}

static bool out_of_resources(int r) {
        return r == -EMFILE || r == -ENFILE || r == -ENOSPC || r == -EDQUOT || r == -ENOMEM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char dir[] = "/tmp/fuzz-nar-XXXXXX";
        ChunkSource src = { .data = data, .len = size };
        char *err = NULL, *err2 = NULL;
        uint64_t nar_size = 0;
        struct stat st;
        int dfd, r, r2;
        Hash h;

        r = nar_validate(data, size, &err);
        if (r < 0 && !err)
                abort();

        if (!mkdtemp(dir))
                abort();
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                abort();
        r2 = nar_restore(dfd, "out", chunk_source, &src, NULL, &h, &nar_size, &err2);
        if (r2 < 0) {
                if (!err2 || fstatat(dfd, "out", &st, AT_SYMLINK_NOFOLLOW) == 0)
                        abort();
                if (r < 0 ? r2 != r || strcmp(err, err2) != 0 : !out_of_resources(r2))
                        abort();
        } else {
                StrBuf back = STRBUF_INIT;
                Hash want;

                if (r < 0 || nar_size != size)
                        abort();
                hash_buffer(HASH_SHA256, data, size, &want);
                if (memcmp(h.bytes, want.bytes, 32) != 0)
                        abort();
                if (nar_dump_path(dfd, "out", strbuf_sink, &back, NULL) < 0 || back.len != size ||
                    (size > 0 && memcmp(back.buf, data, size) != 0))
                        abort();
                strbuf_release(&back);
        }
        close(dfd);
        if (rm_rf(AT_FDCWD, dir, NULL) < 0)
                abort();
        free(err);
        free(err2);
        return 0;
}
