#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "strbuf.h"
#include "xalloc.h"

typedef struct Parser {
        const char *p, *end, *start;
        char *error;
        int code;
} Parser;

static void fail(Parser *ps, int code, const char *fmt, ...) _printf_(3, 4);
static void fail(Parser *ps, int code, const char *fmt, ...) {
        if (ps->error)
                return;
        unsigned line = 1, col = 1;
        for (const char *q = ps->start; q < ps->p; q++) {
                if (*q == '\n') {
                        line++;
                        col = 1;
                } else
                        col++;
        }
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%u:%u: ", line, col);
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        ps->error = strbuf_detach(&sb, NULL);
        ps->code = code;
}

static void skip_ws(Parser *ps) {
        while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
                ps->p++;
}

static bool literal(Parser *ps, const char *word) {
        size_t n = strlen(word);
        if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
                return false;
        ps->p += n;
        return true;
}

static Json *new_value(JsonType t) {
        Json *v = xcalloc(1, sizeof(Json));
        v->type = t;
        return v;
}

static int hex4(Parser *ps, unsigned *ret) {
        unsigned v = 0;
        if (ps->end - ps->p < 4)
                return -1;
        for (int i = 0; i < 4; i++) {
                char c = *ps->p++;
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (unsigned) (c - 'A' + 10);
                else
                        return -1;
        }
        *ret = v;
        return 0;
}

static void add_utf8(StrBuf *sb, unsigned cp) {
        if (cp < 0x80)
                strbuf_addc(sb, (char) cp);
        else if (cp < 0x800) {
                strbuf_addc(sb, (char) (0xC0 | (cp >> 6)));
                strbuf_addc(sb, (char) (0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
                strbuf_addc(sb, (char) (0xE0 | (cp >> 12)));
                strbuf_addc(sb, (char) (0x80 | ((cp >> 6) & 0x3F)));
                strbuf_addc(sb, (char) (0x80 | (cp & 0x3F)));
        } else {
                strbuf_addc(sb, (char) (0xF0 | (cp >> 18)));
                strbuf_addc(sb, (char) (0x80 | ((cp >> 12) & 0x3F)));
                strbuf_addc(sb, (char) (0x80 | ((cp >> 6) & 0x3F)));
                strbuf_addc(sb, (char) (0x80 | (cp & 0x3F)));
        }
}

/* At the opening quote. Returns a malloc'ed string or NULL (error set). */
static char *parse_string(Parser *ps) {
        StrBuf sb = STRBUF_INIT;
        ps->p++;
        for (;;) {
                if (ps->p >= ps->end) {
                        fail(ps, -EINVAL, "unterminated string");
                        break;
                }
                unsigned char c = (unsigned char) *ps->p;
                if (c == '"') {
                        ps->p++;
                        return strbuf_detach(&sb, NULL);
                }
                if (c < 0x20) {
                        fail(ps, -EINVAL, "control character in a string");
                        break;
                }
                if (c != '\\') {
                        strbuf_addc(&sb, (char) c);
                        ps->p++;
                        continue;
                }
                ps->p++;
                if (ps->p >= ps->end) {
                        fail(ps, -EINVAL, "unterminated string");
                        break;
                }
                char e = *ps->p++;
                const char *simple = strchr("\"\\/bfnrt", e);
                if (e && simple) {
                        static const char out[] = "\"\\/\b\f\n\r\t";
                        strbuf_addc(&sb, out[simple - "\"\\/bfnrt"]);
                        continue;
                }
                if (e != 'u') {
                        ps->p--;
                        fail(ps, -EINVAL, "invalid escape \\%c", e);
                        break;
                }
                unsigned cp;
                if (hex4(ps, &cp) < 0) {
                        fail(ps, -EINVAL, "invalid \\u escape");
                        break;
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                        unsigned lo;
                        if (!literal(ps, "\\u") || hex4(ps, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF) {
                                fail(ps, -EINVAL, "unpaired surrogate in \\u escape");
                                break;
                        }
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        fail(ps, -EINVAL, "unpaired surrogate in \\u escape");
                        break;
                } else if (cp == 0) {
                        fail(ps, -EINVAL, "\\u0000 is not supported");
                        break;
                }
                add_utf8(&sb, cp);
        }
        strbuf_release(&sb);
        return NULL;
}

static Json *parse_number(Parser *ps) {
        const char *s = ps->p;
        bool neg = false;
        if (ps->p < ps->end && *ps->p == '-') {
                neg = true;
                ps->p++;
        }
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
                fail(ps, -EINVAL, "invalid number");
                return NULL;
        }
        if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' && ps->p[1] <= '9') {
                fail(ps, -EINVAL, "leading zero in a number");
                return NULL;
        }
        unsigned long long v = 0;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
                unsigned d = (unsigned) (*ps->p - '0');
                if (v > ((unsigned long long) LLONG_MAX + 1 - d) / 10) {
                        ps->p = s;
                        fail(ps, -EINVAL, "number out of range");
                        return NULL;
                }
                v = v * 10 + d;
                ps->p++;
        }
        if (ps->p < ps->end && (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E')) {
                ps->p = s;
                fail(ps, -EINVAL, "only integers are supported");
                return NULL;
        }
        if (!neg && v > (unsigned long long) LLONG_MAX) {
                ps->p = s;
                fail(ps, -EINVAL, "number out of range");
                return NULL;
        }
        Json *j = new_value(JSON_INT);
        j->integer = neg ? (long long) (0 - v) : (long long) v;
        return j;
}

static Json *parse_value(Parser *ps, int depth);

static void push_item(Json *c, size_t *alloc, char *key, Json *item) {
        if (c->n == *alloc) {
                *alloc = *alloc ? *alloc * 2 : 4;
                c->items = xrealloc(c->items, *alloc * sizeof(Json *));
                if (c->type == JSON_OBJECT)
                        c->keys = xrealloc(c->keys, *alloc * sizeof(char *));
        }
        if (c->type == JSON_OBJECT)
                c->keys[c->n] = key;
        c->items[c->n++] = item;
}

static Json *parse_container(Parser *ps, int depth, bool object) {
        char close = object ? '}' : ']';
        Json *c = new_value(object ? JSON_OBJECT : JSON_ARRAY);
        size_t alloc = 0;
        ps->p++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == close) {
                ps->p++;
                return c;
        }
        for (;;) {
                char *key = NULL;
                skip_ws(ps);
                if (object) {
                        if (ps->p >= ps->end || *ps->p != '"') {
                                fail(ps, -EINVAL, "expected a string key");
                                break;
                        }
                        key = parse_string(ps);
                        if (!key)
                                break;
                        skip_ws(ps);
                        if (ps->p >= ps->end || *ps->p != ':') {
                                free(key);
                                fail(ps, -EINVAL, "expected ':'");
                                break;
                        }
                        ps->p++;
                }
                Json *item = parse_value(ps, depth + 1);
                if (!item) {
                        free(key);
                        break;
                }
                push_item(c, &alloc, key, item);
                skip_ws(ps);
                if (ps->p < ps->end && *ps->p == ',') {
                        ps->p++;
                        continue;
                }
                if (ps->p < ps->end && *ps->p == close) {
                        ps->p++;
                        return c;
                }
                fail(ps, -EINVAL, "expected ',' or '%c'", close);
                break;
        }
        json_free(c);
        return NULL;
}

static Json *parse_value(Parser *ps, int depth) {
        if (depth > JSON_MAX_DEPTH) {
                fail(ps, -E2BIG, "nested deeper than %d levels", JSON_MAX_DEPTH);
                return NULL;
        }
        skip_ws(ps);
        if (ps->p >= ps->end) {
                fail(ps, -EINVAL, "unexpected end of input");
                return NULL;
        }
        switch (*ps->p) {
        case '{':
                return parse_container(ps, depth, true);
        case '[':
                return parse_container(ps, depth, false);
        case '"': {
                char *s = parse_string(ps);
                if (!s)
                        return NULL;
                Json *v = new_value(JSON_STRING);
                v->string = s;
                return v;
        }
        case 't':
        case 'f':
        case 'n': {
                Json *v;
                if (literal(ps, "true")) {
                        v = new_value(JSON_BOOL);
                        v->boolean = true;
                } else if (literal(ps, "false"))
                        v = new_value(JSON_BOOL);
                else if (literal(ps, "null"))
                        v = new_value(JSON_NULL);
                else {
                        fail(ps, -EINVAL, "invalid literal");
                        return NULL;
                }
                return v;
        }
        default:
                return parse_number(ps);
        }
}

int json_parse(const char *data, size_t len, Json **ret, char **ret_error) {
        Parser ps = { .p = data, .end = data + len, .start = data };
        if (len > JSON_MAX_INPUT) {
                *ret_error = xasprintf("input larger than %u bytes", JSON_MAX_INPUT);
                return -E2BIG;
        }
        Json *v = parse_value(&ps, 0);
        if (v) {
                skip_ws(&ps);
                if (ps.p < ps.end) {
                        fail(&ps, -EINVAL, "trailing characters after the value");
                        v = json_free(v);
                }
        }
        if (!v) {
                *ret_error = ps.error;
                return ps.code;
        }
        *ret = v;
        return 0;
}

Json *json_free(Json *v) {
        if (!v)
                return NULL;
        for (size_t i = 0; i < v->n; i++) {
                json_free(v->items[i]);
                if (v->keys)
                        free(v->keys[i]);
        }
        free(v->items);
        free(v->keys);
        free(v->string);
        free(v);
        return NULL;
}

const Json *json_get(const Json *o, const char *key) {
        if (!o || o->type != JSON_OBJECT)
                return NULL;
        for (size_t i = 0; i < o->n; i++)
                if (strcmp(o->keys[i], key) == 0)
                        return o->items[i];
        return NULL;
}

const char *json_type_name(JsonType t) {
        switch (t) {
        case JSON_NULL:
                return "null";
        case JSON_BOOL:
                return "a boolean";
        case JSON_INT:
                return "an integer";
        case JSON_STRING:
                return "a string";
        case JSON_ARRAY:
                return "an array";
        case JSON_OBJECT:
                return "an object";
        }
        return "?";
}
