/* Error records of the evaluator and their rendering, laid out exactly as
 * Nix 2.8 prints them (see eval.h). */
#include "eval.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arith.h"
#include "bind.h"
#include "builtins.h"
#include "eval-internal.h"
#include "ast-arena.h"
#include "gc-alloc.h"
#include "parser.h"
#include "xalloc.h"

/* ---- errors --------------------------------------------------------- */

static char *gc_vprintf(const char *fmt, va_list ap) {
        StrBuf sb = STRBUF_INIT;
        strbuf_vaddf(&sb, fmt, ap);
        char *r = gc_strndup(sb.buf, sb.len);
        strbuf_release(&sb);
        return r;
}

int eval_verror(EvalState *st, EvalErrorKind kind, const Pos *pos, const char *fmt, va_list ap) {
        st->error = (EvalError) { .kind = kind, .message = gc_vprintf(fmt, ap) };
        if (pos)
                st->error.pos = *pos;
        st->has_error = true;
        return EVAL_FAILED;
}

int eval_error(EvalState *st, EvalErrorKind kind, const Pos *pos, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = eval_verror(st, kind, pos, fmt, ap);
        va_end(ap);
        return r;
}

int eval_error_add_frame(EvalState *st, const Pos *pos, const char *fmt, ...) {
        EvalError *e = &st->error;
        /* Bound the trace: a deep recursion would otherwise add one frame per
         * level as it unwinds. */
        if (e->n_frames >= 1000)
                return EVAL_FAILED;
        if (e->n_frames == e->cap_frames) {
                size_t cap = e->cap_frames ? e->cap_frames * 2 : 8;
                EvalFrame *n = gc_alloc(sizeof(EvalFrame) * cap);
                if (e->n_frames)
                        memcpy(n, e->frames, sizeof(EvalFrame) * e->n_frames);
                e->frames = n;
                e->cap_frames = cap;
        }
        va_list ap;
        va_start(ap, fmt);
        e->frames[e->n_frames].message = gc_vprintf(fmt, ap);
        va_end(ap);
        e->frames[e->n_frames].pos = pos ? *pos : (Pos) { 0 };
        e->n_frames++;
        return EVAL_FAILED;
}

static int levenshtein(const char *a, const char *b) {
        size_t m = strlen(a), n = strlen(b);
        int *v0 = xmalloc(sizeof(int) * (n + 1)), *v1 = xmalloc(sizeof(int) * (n + 1));
        for (size_t j = 0; j <= n; j++)
                v0[j] = j;
        for (size_t i = 0; i < m; i++) {
                v1[0] = i + 1;
                for (size_t j = 0; j < n; j++) {
                        int del = v0[j + 1] + 1, ins = v1[j] + 1, sub = v0[j] + (a[i] != b[j]);
                        v1[j + 1] = del < ins ? (del < sub ? del : sub) : (ins < sub ? ins : sub);
                }
                int *t = v0;
                v0 = v1;
                v1 = t;
        }
        int d = v0[n];
        free(v0);
        free(v1);
        return d;
}

typedef struct Suggestion {
        int distance;
        const char *name;
} Suggestion;

static int suggestion_cmp(const void *a, const void *b) {
        const Suggestion *x = a, *y = b;
        if (x->distance != y->distance)
                return x->distance - y->distance;
        return strcmp(x->name, y->name);
}

void eval_error_suggest(EvalState *st, const char *query, const char *const *names, size_t n) {
        Suggestion *s = xmalloc(sizeof(Suggestion) * (n ? n : 1));
        for (size_t i = 0; i < n; i++)
                s[i] = (Suggestion) { levenshtein(query, names[i]), names[i] };
        qsort(s, n, sizeof(Suggestion), suggestion_cmp);
        size_t k = 0;
        while (k < n && k < 5 && s[k].distance <= 2)
                k++;
        if (k > 0) {
                StrBuf sb = STRBUF_INIT;
                if (k > 1)
                        strbuf_adds(&sb, "one of ");
                for (size_t i = 0; i < k; i++) {
                        if (i > 0)
                                strbuf_adds(&sb, i + 1 == k ? " or " : ", ");
                        strbuf_adds(&sb, s[i].name);
                }
                st->error.suggestions = gc_strndup(sb.buf, sb.len);
                strbuf_release(&sb);
        }
        free(s);
}

void eval_error_suggest_attrs(EvalState *st, const char *query, const Bindings *b) {
        const char **names = xmalloc(sizeof(char *) * (b->size ? b->size : 1));
        for (uint32_t i = 0; i < b->size; i++)
                names[i] = symbol_str(b->attrs[i].name);
        eval_error_suggest(st, query, names, b->size);
        free(names);
}

const char *pos_show(const Pos *pos) {
        if (!pos || pos->line == 0)
                return "undefined position";
        char *r = gc_alloc_atomic(64 + (pos->origin == POS_FILE ? strlen(pos->file) : 0));
        sprintf(r, "%s:%u:%u", pos->origin == POS_FILE ? pos->file : "(string)", pos->line, pos->col);
        return r;
}

/* Returns line n (1-based) of the source of pos, GC-allocated, or NULL. */
static char *source_line(const Pos *pos, uint32_t n, bool *ret_exists) {
        *ret_exists = false;
        const char *text = NULL;
        char *buf = NULL;
        size_t len = 0;
        if (pos->origin == POS_FILE) {
                FILE *f = fopen(pos->file, "re");
                if (!f)
                        return NULL;
                char *line = NULL;
                size_t cap = 0;
                uint32_t i = 0;
                ssize_t l;
                while ((l = getline(&line, &cap, f)) >= 0) {
                        if (++i == n) {
                                if (l > 0 && line[l - 1] == '\n')
                                        line[--l] = 0;
                                char *r = gc_strndup(line, l);
                                free(line);
                                fclose(f);
                                *ret_exists = true;
                                return r;
                        }
                }
                free(line);
                fclose(f);
                return NULL;
        }
        text = pos->file;
        if (!text)
                return NULL;
        len = strlen(text);
        uint32_t i = 1;
        const char *p = text, *end = text + len;
        while (i < n && p < end) {
                const char *nl = memchr(p, '\n', end - p);
                if (!nl)
                        return NULL;
                p = nl + 1;
                i++;
        }
        if (i != n)
                return NULL;
        const char *nl = memchr(p, '\n', end - p);
        buf = gc_strndup(p, nl ? (size_t) (nl - p) : (size_t) (end - p));
        *ret_exists = true;
        return buf;
}

/* "at FILE:LINE:COL:" and the source excerpt, laid out as Nix's printAtPos
 * and printCodeLines do (before the whole message is indented). */
static void format_pos(const Pos *pos, StrBuf *out) {
        if (!pos || pos->line == 0)
                return;
        const char *origin = pos->origin == POS_FILE ? pos->file : pos->origin == POS_STDIN ? "«stdin»" : "«string»";
        strbuf_addf(out, "\nat %s:%u:%u:", origin, pos->line, pos->col);
        bool exists;
        char *line = source_line(pos, pos->line, &exists);
        if (!line)
                return;
        strbuf_addc(out, '\n');
        if (pos->line > 1) {
                bool prev_exists;
                char *prev = source_line(pos, pos->line - 1, &prev_exists);
                if (prev)
                        strbuf_addf(out, "\n %5u| %s", pos->line - 1, prev);
        }
        strbuf_addf(out, "\n %5u| %s", pos->line, line);
        if (pos->col > 0) {
                strbuf_adds(out, "\n      |");
                for (uint32_t c = 0; c < pos->col; c++)
                        strbuf_addc(out, ' ');
                strbuf_addc(out, '^');
        }
        bool next_exists;
        char *next = source_line(pos, pos->line + 1, &next_exists);
        if (next)
                strbuf_addf(out, "\n %5u| %s", pos->line + 1, next);
        strbuf_addc(out, '\n');
}

/* Nix's indent(): the first line after "error: ", the others after seven
 * spaces, trailing blanks of every line removed. */
static void indent_lines(const char *s, size_t len, StrBuf *out) {
        const char *p = s, *end = s + len;
        bool first = true;
        while (p < end) {
                const char *nl = memchr(p, '\n', end - p);
                const char *le = nl ? nl : end;
                if (!first)
                        strbuf_addc(out, '\n');
                size_t start = out->len;
                strbuf_adds(out, first ? "error: " : "       ");
                strbuf_add(out, p, le - p);
                while (out->len > start && (out->buf[out->len - 1] == ' ' || out->buf[out->len - 1] == '\t' ||
                                            out->buf[out->len - 1] == '\r'))
                        out->buf[--out->len] = 0;
                first = false;
                if (!nl)
                        break;
                p = nl + 1;
        }
}

/* What Nix's logger does to text for a non-terminal: tabs expand to the
 * next multiple of 8 of a running column count (which newlines do not
 * reset), carriage returns vanish, a UTF-8 sequence counts as one. */
static void filter_for_terminal(const char *s, size_t len, StrBuf *out) {
        size_t w = 0;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = s[i];
                if (c == '\t') {
                        strbuf_addc(out, ' ');
                        w++;
                        while (w % 8) {
                                strbuf_addc(out, ' ');
                                w++;
                        }
                } else if (c == '\r')
                        continue;
                else {
                        strbuf_addc(out, c);
                        if ((c & 0xC0) != 0x80)
                                w++;
                }
        }
}

void eval_error_format(const EvalState *st, bool show_trace, StrBuf *out) {
        const EvalError *e = &st->error;
        StrBuf body = STRBUF_INIT;
        strbuf_adds(&body, e->message ? e->message : "unknown error");
        strbuf_addc(&body, '\n');
        format_pos(&e->pos, &body);
        if (e->suggestions)
                strbuf_addf(&body, "Did you mean %s?\n", e->suggestions);
        for (size_t i = 0; i < e->n_frames && show_trace; i++) {
                const EvalFrame *f = &e->frames[i];
                strbuf_addf(&body, "\n… %s\n", f->message ? f->message : "");
                format_pos(&f->pos, &body);
        }
        while (body.len && (body.buf[body.len - 1] == '\n' || body.buf[body.len - 1] == ' '))
                body.buf[--body.len] = 0;
        StrBuf indented = STRBUF_INIT;
        indent_lines(body.buf, body.len, &indented);
        strbuf_addc(&indented, '\n');
        if (e->n_frames && !show_trace)
                strbuf_adds(&indented, "(use '--show-trace' to show detailed location information)\n");
        filter_for_terminal(indented.buf, indented.len, out);
        strbuf_release(&indented);
        strbuf_release(&body);
}


void eval_error_set_message(EvalState *st, const char *message) {
        st->error.message = gc_strdup(message);
}
