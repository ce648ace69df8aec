#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

char strbuf_empty_[1];

void strbuf_grow(StrBuf *sb, size_t extra) {
        size_t need = sb->len + extra + 1;
        if (need <= sb->alloc)
                return;
        size_t n = sb->alloc ? sb->alloc : 64;
        while (n < need)
                n *= 2;
        if (sb->alloc == 0) {
                sb->buf = xmalloc(n);
                sb->buf[0] = 0;
        } else
                sb->buf = xrealloc(sb->buf, n);
        sb->alloc = n;
}

void strbuf_add(StrBuf *sb, const void *data, size_t len) {
        strbuf_grow(sb, len);
        memcpy(sb->buf + sb->len, data, len);
        sb->len += len;
        sb->buf[sb->len] = 0;
}

void strbuf_adds(StrBuf *sb, const char *s) {
        strbuf_add(sb, s, strlen(s));
}

void strbuf_addc(StrBuf *sb, char c) {
        strbuf_grow(sb, 1);
        sb->buf[sb->len++] = c;
        sb->buf[sb->len] = 0;
}

void strbuf_vaddf(StrBuf *sb, const char *fmt, va_list ap) {
        va_list ap2;
        va_copy(ap2, ap);
        int n = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0, fmt, ap2);
        va_end(ap2);
        if (n < 0)
                return;
        if (sb->alloc == 0 || (size_t) n >= sb->alloc - sb->len) {
                strbuf_grow(sb, n);
                vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
        }
        sb->len += n;
}

void strbuf_addf(StrBuf *sb, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(sb, fmt, ap);
        va_end(ap);
}

void strbuf_reset(StrBuf *sb) {
        sb->len = 0;
        if (sb->alloc)
                sb->buf[0] = 0;
}

void strbuf_release(StrBuf *sb) {
        if (sb->alloc)
                free(sb->buf);
        sb->buf = strbuf_empty_;
        sb->len = sb->alloc = 0;
}

char *strbuf_detach(StrBuf *sb, size_t *ret_len) {
        char *r = sb->alloc ? sb->buf : xstrdup("");
        if (ret_len)
                *ret_len = sb->len;
        sb->buf = strbuf_empty_;
        sb->len = sb->alloc = 0;
        return r;
}
