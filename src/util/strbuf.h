/* Growable byte strings.
 *
 * Invariants: buf is never NULL and always NUL-terminated; len counts the
 * bytes before that NUL (the contents may hold NULs of their own).
 * A StrBuf is initialised with STRBUF_INIT, owns its buffer (malloc), and is
 * released with strbuf_release() or handed over with strbuf_detach().
 * Allocation failure aborts: these are small, bounded buffers. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "cleanup.h"

typedef struct StrBuf {
        char *buf;
        size_t len;
        size_t alloc;
} StrBuf;

extern char strbuf_empty_[];
#define STRBUF_INIT { .buf = strbuf_empty_, .len = 0, .alloc = 0 }

/* Make room for at least extra more bytes (plus the NUL). */
void strbuf_grow(StrBuf *sb, size_t extra);
void strbuf_add(StrBuf *sb, const void *data, size_t len);
void strbuf_adds(StrBuf *sb, const char *s);
void strbuf_addc(StrBuf *sb, char c);
void strbuf_addf(StrBuf *sb, const char *fmt, ...) _printf_(2, 3);
void strbuf_vaddf(StrBuf *sb, const char *fmt, va_list ap);
void strbuf_reset(StrBuf *sb);
void strbuf_release(StrBuf *sb);
/* Returns the buffer (malloc'ed, caller frees) and leaves sb empty. */
char *strbuf_detach(StrBuf *sb, size_t *ret_len);

static inline void strbuf_releasep(StrBuf *sb) {
        strbuf_release(sb);
}
#define _cleanup_strbuf_ _cleanup_(strbuf_releasep)
