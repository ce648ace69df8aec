/* Values to and from JSON with Nix 2.8's exact behaviour.
 *
 * Output follows Nix's JSONPlaceholder printer: compact, keys in
 * lexicographic order, floats as C++ streams print them by default (%g),
 * strings escaped for ", \, \n, \r, \t and as \u00XX for other control
 * bytes, everything else (UTF-8 included) copied as is.
 *
 * Input follows nlohmann::json 3.10 (what Nix 2.8 links): same grammar,
 * same number classification (unsigned, signed, float) and, byte for byte,
 * the same error messages with their line/column and "last read" excerpt. */
#include "value-json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc-alloc.h"
#include "xalloc.h"

/* ---------------------------------------------------------------- output */

static void json_write_string(StrBuf *out, const char *s, size_t len) {
        static const char hex[] = "0123456789abcdef";

        strbuf_addc(out, '"');
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) s[i];
                switch (c) {
                case '"':
                case '\\':
                        strbuf_addc(out, '\\');
                        strbuf_addc(out, (char) c);
                        break;
                case '\n':
                        strbuf_adds(out, "\\n");
                        break;
                case '\r':
                        strbuf_adds(out, "\\r");
                        break;
                case '\t':
                        strbuf_adds(out, "\\t");
                        break;
                default:
                        if (c < 0x20) {
                                char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
                                strbuf_add(out, esc, sizeof esc);
                        } else
                                strbuf_addc(out, (char) c);
                }
        }
        strbuf_addc(out, '"');
}

static Symbol sym_to_string(void) {
        static Symbol s;
        if (!s)
                s = symbol_intern_str("__toString");
        return s;
}

typedef struct JsonWriter {
        EvalState *st;
        ContextBuilder *cb;
        StrBuf *out;
        /* Force values as they come (always, for now: the header promises
         * it). Without, thunks are an error as in `nix-instantiate --json`
         * without --strict. */
        bool strict;
} JsonWriter;

static int to_json(JsonWriter *w, Value *v, const Pos *pos);

static int attrs_to_json(JsonWriter *w, Value *v, const Pos *pos) {
        const char *s;
        int r = 0;

        /* tryAttrsToString: __toString wins over outPath. */
        if (eval_get_attr(v, sym_to_string())) {
                r = eval_coerce_to_string(w->st, v, pos, w->cb, false, false, &s);
                if (r < 0)
                        return r;
                json_write_string(w->out, s, strlen(s));
                return 0;
        }

        Attr *a = eval_get_attr(v, eval_symbols(w->st)->outPath);
        if (a)
                return to_json(w, a->value, a->pos ? a->pos : pos);

        /* On errors the brackets are still closed, as Nix's JSON writer
         * does when it unwinds: callers that print partial output match. */
        Attr **sorted = bindings_sorted_by_name(v->attrs);
        strbuf_addc(w->out, '{');
        for (uint32_t i = 0; i < v->attrs->size && r >= 0; i++) {
                if (i > 0)
                        strbuf_addc(w->out, ',');
                json_write_string(w->out, symbol_str(sorted[i]->name), symbol_len(sorted[i]->name));
                strbuf_addc(w->out, ':');
                r = to_json(w, sorted[i]->value, sorted[i]->pos ? sorted[i]->pos : pos);
        }
        strbuf_addc(w->out, '}');
        return r < 0 ? r : 0;
}

static int to_json(JsonWriter *w, Value *v, const Pos *pos) {
        const char *s;
        int r = 0;

        if (w->strict) {
                r = eval_force(w->st, v, pos);
                if (r < 0)
                        return r;
        }

        switch ((ValueType) v->type) {
        case VT_INT:
                strbuf_addf(w->out, "%" PRId64, v->integer);
                return 0;
        case VT_BOOL:
                strbuf_adds(w->out, v->boolean ? "true" : "false");
                return 0;
        case VT_NULL:
                strbuf_adds(w->out, "null");
                return 0;
        case VT_FLOAT:
                strbuf_addf(w->out, "%g", v->fpoint);
                return 0;
        case VT_STRING:
                if (w->cb)
                        context_add_all(w->cb, v->string.context);
                json_write_string(w->out, v->string.s, strlen(v->string.s));
                return 0;
        case VT_PATH:
                /* Copied to the store; the store path joins the context. */
                r = eval_coerce_to_string(w->st, v, pos, w->cb, false, true, &s);
                if (r < 0)
                        return r;
                json_write_string(w->out, s, strlen(s));
                return 0;
        case VT_ATTRS:
                r = eval_depth_enter(w->st, pos);
                if (r < 0)
                        return r;
                r = attrs_to_json(w, v, pos);
                eval_depth_leave(w->st);
                return r;
        case VT_LIST:
                r = eval_depth_enter(w->st, pos);
                if (r < 0)
                        return r;
                strbuf_addc(w->out, '[');
                for (size_t i = 0; i < v->list.size && r >= 0; i++) {
                        if (i > 0)
                                strbuf_addc(w->out, ',');
                        r = to_json(w, v->list.elems[i], pos);
                }
                strbuf_addc(w->out, ']');
                eval_depth_leave(w->st);
                return r < 0 ? r : 0;
        case VT_LAMBDA:
        case VT_PRIMOP:
        case VT_PRIMOP_APP:
        default: {
                /* Functions (and thunks when not forcing). Nix reports
                 * lambdas at their own position, then adds this odd frame at
                 * the caller's. */
                const Pos *epos = v->type == VT_LAMBDA ? &v->lambda.fun->pos : pos;
                eval_error(w->st, EVAL_ERROR_TYPE, epos, "cannot convert %s to JSON", value_show_type(v));
                return eval_error_add_frame(w->st, pos, "message for the trace");
        }
        }
}

int value_to_json(EvalState *st, Value *v, const Pos *pos, ContextBuilder *cb, StrBuf *out) {
        JsonWriter w = { .st = st, .cb = cb, .out = out, .strict = true };
        return to_json(&w, v, pos);
}

/* ----------------------------------------------------------------- input */

typedef enum JsonToken {
        TOK_UNINITIALIZED,
        TOK_TRUE,
        TOK_FALSE,
        TOK_NULL,
        TOK_STRING,
        TOK_UNSIGNED,
        TOK_INTEGER,
        TOK_FLOAT,
        TOK_BEGIN_ARRAY,
        TOK_BEGIN_OBJECT,
        TOK_END_ARRAY,
        TOK_END_OBJECT,
        TOK_NAME_SEPARATOR,
        TOK_VALUE_SEPARATOR,
        TOK_PARSE_ERROR,
        TOK_END_OF_INPUT,
        TOK_LITERAL_OR_VALUE,
} JsonToken;

static const char *token_name(JsonToken t) {
        switch (t) {
        case TOK_UNINITIALIZED: return "<uninitialized>";
        case TOK_TRUE: return "true literal";
        case TOK_FALSE: return "false literal";
        case TOK_NULL: return "null literal";
        case TOK_STRING: return "string literal";
        case TOK_UNSIGNED:
        case TOK_INTEGER:
        case TOK_FLOAT: return "number literal";
        case TOK_BEGIN_ARRAY: return "'['";
        case TOK_BEGIN_OBJECT: return "'{'";
        case TOK_END_ARRAY: return "']'";
        case TOK_END_OBJECT: return "'}'";
        case TOK_NAME_SEPARATOR: return "':'";
        case TOK_VALUE_SEPARATOR: return "','";
        case TOK_PARSE_ERROR: return "<parse error>";
        case TOK_END_OF_INPUT: return "end of input";
        case TOK_LITERAL_OR_VALUE: return "'[', '{', or a literal";
        }
        return "unknown token";
}

#define JSON_EOF (-1)

/* The scanner, modelled on nlohmann's lexer so that positions and the
 * "last read" text of errors come out the same: token_string collects every
 * byte read since the start of the current string or number token (for
 * other tokens it keeps accumulating). */
typedef struct JsonLexer {
        const unsigned char *text;
        size_t len, next;
        int current;
        bool next_unget;
        size_t chars_read_total, chars_read_current_line, lines_read;
        StrBuf token_string;
        StrBuf token_buffer; /* decoded string or number text */
        const char *error_message;
        uint64_t value_unsigned;
        int64_t value_integer;
        double value_float;
} JsonLexer;

static int lex_get(JsonLexer *lx) {
        lx->chars_read_total++;
        lx->chars_read_current_line++;
        if (lx->next_unget)
                lx->next_unget = false;
        else
                lx->current = lx->next < lx->len ? lx->text[lx->next++] : JSON_EOF;
        if (lx->current != JSON_EOF)
                strbuf_addc(&lx->token_string, (char) lx->current);
        if (lx->current == '\n') {
                lx->lines_read++;
                lx->chars_read_current_line = 0;
        }
        return lx->current;
}

static void lex_unget(JsonLexer *lx) {
        lx->next_unget = true;
        lx->chars_read_total--;
        if (lx->chars_read_current_line == 0) {
                if (lx->lines_read > 0)
                        lx->lines_read--;
        } else
                lx->chars_read_current_line--;
        if (lx->current != JSON_EOF && lx->token_string.len > 0)
                lx->token_string.buf[--lx->token_string.len] = 0;
}

static void lex_reset(JsonLexer *lx) {
        strbuf_reset(&lx->token_buffer);
        strbuf_reset(&lx->token_string);
        strbuf_addc(&lx->token_string, (char) lx->current);
}

static void lex_add(JsonLexer *lx, int c) {
        strbuf_addc(&lx->token_buffer, (char) c);
}

static int lex_codepoint(JsonLexer *lx) {
        int cp = 0;
        for (int shift = 12; shift >= 0; shift -= 4) {
                int c = lex_get(lx);
                if (c >= '0' && c <= '9')
                        cp += (c - '0') << shift;
                else if (c >= 'A' && c <= 'F')
                        cp += (c - 'A' + 10) << shift;
                else if (c >= 'a' && c <= 'f')
                        cp += (c - 'a' + 10) << shift;
                else
                        return -1;
        }
        return cp;
}

/* Adds the current byte, then reads one byte per range and checks it. */
static bool lex_next_bytes_in_range(JsonLexer *lx, const int *ranges, size_t n) {
        lex_add(lx, lx->current);
        for (size_t i = 0; i < n; i += 2) {
                int c = lex_get(lx);
                if (c < ranges[i] || c > ranges[i + 1]) {
                        lx->error_message = "invalid string: ill-formed UTF-8 byte";
                        return false;
                }
                lex_add(lx, c);
        }
        return true;
}

static const char *const control_char_errors[32] = {
        "invalid string: control character U+0000 (NUL) must be escaped to \\u0000",
        "invalid string: control character U+0001 (SOH) must be escaped to \\u0001",
        "invalid string: control character U+0002 (STX) must be escaped to \\u0002",
        "invalid string: control character U+0003 (ETX) must be escaped to \\u0003",
        "invalid string: control character U+0004 (EOT) must be escaped to \\u0004",
        "invalid string: control character U+0005 (ENQ) must be escaped to \\u0005",
        "invalid string: control character U+0006 (ACK) must be escaped to \\u0006",
        "invalid string: control character U+0007 (BEL) must be escaped to \\u0007",
        "invalid string: control character U+0008 (BS) must be escaped to \\u0008 or \\b",
        "invalid string: control character U+0009 (HT) must be escaped to \\u0009 or \\t",
        "invalid string: control character U+000A (LF) must be escaped to \\u000A or \\n",
        "invalid string: control character U+000B (VT) must be escaped to \\u000B",
        "invalid string: control character U+000C (FF) must be escaped to \\u000C or \\f",
        "invalid string: control character U+000D (CR) must be escaped to \\u000D or \\r",
        "invalid string: control character U+000E (SO) must be escaped to \\u000E",
        "invalid string: control character U+000F (SI) must be escaped to \\u000F",
        "invalid string: control character U+0010 (DLE) must be escaped to \\u0010",
        "invalid string: control character U+0011 (DC1) must be escaped to \\u0011",
        "invalid string: control character U+0012 (DC2) must be escaped to \\u0012",
        "invalid string: control character U+0013 (DC3) must be escaped to \\u0013",
        "invalid string: control character U+0014 (DC4) must be escaped to \\u0014",
        "invalid string: control character U+0015 (NAK) must be escaped to \\u0015",
        "invalid string: control character U+0016 (SYN) must be escaped to \\u0016",
        "invalid string: control character U+0017 (ETB) must be escaped to \\u0017",
        "invalid string: control character U+0018 (CAN) must be escaped to \\u0018",
        "invalid string: control character U+0019 (EM) must be escaped to \\u0019",
        "invalid string: control character U+001A (SUB) must be escaped to \\u001A",
        "invalid string: control character U+001B (ESC) must be escaped to \\u001B",
        "invalid string: control character U+001C (FS) must be escaped to \\u001C",
        "invalid string: control character U+001D (GS) must be escaped to \\u001D",
        "invalid string: control character U+001E (RS) must be escaped to \\u001E",
        "invalid string: control character U+001F (US) must be escaped to \\u001F",
};

static void lex_add_utf8(JsonLexer *lx, int cp) {
        if (cp < 0x80)
                lex_add(lx, cp);
        else if (cp <= 0x7ff) {
                lex_add(lx, 0xc0 | (cp >> 6));
                lex_add(lx, 0x80 | (cp & 0x3f));
        } else if (cp <= 0xffff) {
                lex_add(lx, 0xe0 | (cp >> 12));
                lex_add(lx, 0x80 | ((cp >> 6) & 0x3f));
                lex_add(lx, 0x80 | (cp & 0x3f));
        } else {
                lex_add(lx, 0xf0 | (cp >> 18));
                lex_add(lx, 0x80 | ((cp >> 12) & 0x3f));
                lex_add(lx, 0x80 | ((cp >> 6) & 0x3f));
                lex_add(lx, 0x80 | (cp & 0x3f));
        }
}

static JsonToken lex_string_escape(JsonLexer *lx) {
        int c = lex_get(lx);
        switch (c) {
        case '"': lex_add(lx, '"'); return TOK_STRING;
        case '\\': lex_add(lx, '\\'); return TOK_STRING;
        case '/': lex_add(lx, '/'); return TOK_STRING;
        case 'b': lex_add(lx, '\b'); return TOK_STRING;
        case 'f': lex_add(lx, '\f'); return TOK_STRING;
        case 'n': lex_add(lx, '\n'); return TOK_STRING;
        case 'r': lex_add(lx, '\r'); return TOK_STRING;
        case 't': lex_add(lx, '\t'); return TOK_STRING;
        case 'u': {
                int cp1 = lex_codepoint(lx), cp = cp1;
                if (cp1 < 0) {
                        lx->error_message = "invalid string: '\\u' must be followed by 4 hex digits";
                        return TOK_PARSE_ERROR;
                }
                if (cp1 >= 0xd800 && cp1 <= 0xdbff) {
                        if (lex_get(lx) == '\\' && lex_get(lx) == 'u') {
                                int cp2 = lex_codepoint(lx);
                                if (cp2 < 0) {
                                        lx->error_message = "invalid string: '\\u' must be followed by 4 hex digits";
                                        return TOK_PARSE_ERROR;
                                }
                                if (cp2 < 0xdc00 || cp2 > 0xdfff) {
                                        lx->error_message = "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF";
                                        return TOK_PARSE_ERROR;
                                }
                                cp = (cp1 << 10) + cp2 - 0x35fdc00;
                        } else {
                                lx->error_message = "invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF";
                                return TOK_PARSE_ERROR;
                        }
                } else if (cp1 >= 0xdc00 && cp1 <= 0xdfff) {
                        lx->error_message = "invalid string: surrogate U+DC00..U+DFFF must follow U+D800..U+DBFF";
                        return TOK_PARSE_ERROR;
                }
                lex_add_utf8(lx, cp);
                return TOK_STRING;
        }
        default:
                lx->error_message = "invalid string: forbidden character after backslash";
                return TOK_PARSE_ERROR;
        }
}

static JsonToken lex_string(JsonLexer *lx) {
        static const int r2[] = { 0x80, 0xbf };
        static const int re0[] = { 0xa0, 0xbf, 0x80, 0xbf };
        static const int re1[] = { 0x80, 0xbf, 0x80, 0xbf };
        static const int red[] = { 0x80, 0x9f, 0x80, 0xbf };
        static const int rf0[] = { 0x90, 0xbf, 0x80, 0xbf, 0x80, 0xbf };
        static const int rf1[] = { 0x80, 0xbf, 0x80, 0xbf, 0x80, 0xbf };
        static const int rf4[] = { 0x80, 0x8f, 0x80, 0xbf, 0x80, 0xbf };

        lex_reset(lx);
        for (;;) {
                int c = lex_get(lx);
                const int *ranges = NULL;
                size_t n = 0;

                if (c == JSON_EOF) {
                        lx->error_message = "invalid string: missing closing quote";
                        return TOK_PARSE_ERROR;
                }
                if (c == '"')
                        return TOK_STRING;
                if (c == '\\') {
                        JsonToken t = lex_string_escape(lx);
                        if (t == TOK_PARSE_ERROR)
                                return t;
                        continue;
                }
                if (c < 0x20) {
                        lx->error_message = control_char_errors[c];
                        return TOK_PARSE_ERROR;
                }
                if (c < 0x80) {
                        lex_add(lx, c);
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf)
                        ranges = r2, n = ELEMENTSOF(r2);
                else if (c == 0xe0)
                        ranges = re0, n = ELEMENTSOF(re0);
                else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
                        ranges = re1, n = ELEMENTSOF(re1);
                else if (c == 0xed)
                        ranges = red, n = ELEMENTSOF(red);
                else if (c == 0xf0)
                        ranges = rf0, n = ELEMENTSOF(rf0);
                else if (c >= 0xf1 && c <= 0xf3)
                        ranges = rf1, n = ELEMENTSOF(rf1);
                else if (c == 0xf4)
                        ranges = rf4, n = ELEMENTSOF(rf4);
                else {
                        lx->error_message = "invalid string: ill-formed UTF-8 byte";
                        return TOK_PARSE_ERROR;
                }
                if (!lex_next_bytes_in_range(lx, ranges, n))
                        return TOK_PARSE_ERROR;
        }
}

static bool is_digit(int c) {
        return c >= '0' && c <= '9';
}

static JsonToken lex_number(JsonLexer *lx) {
        JsonToken type = TOK_UNSIGNED;
        int c = lx->current;

        lex_reset(lx);
        lex_add(lx, c);
        if (c == '-') {
                type = TOK_INTEGER;
                c = lex_get(lx);
                if (!is_digit(c)) {
                        lx->error_message = "invalid number; expected digit after '-'";
                        return TOK_PARSE_ERROR;
                }
                lex_add(lx, c);
        }
        if (c != '0') {
                while (is_digit(c = lex_get(lx)))
                        lex_add(lx, c);
        } else
                c = lex_get(lx);
        if (c == '.') {
                type = TOK_FLOAT;
                lex_add(lx, c);
                c = lex_get(lx);
                if (!is_digit(c)) {
                        lx->error_message = "invalid number; expected digit after '.'";
                        return TOK_PARSE_ERROR;
                }
                do
                        lex_add(lx, c);
                while (is_digit(c = lex_get(lx)));
        }
        if (c == 'e' || c == 'E') {
                type = TOK_FLOAT;
                lex_add(lx, c);
                c = lex_get(lx);
                if (c == '+' || c == '-') {
                        lex_add(lx, c);
                        c = lex_get(lx);
                        if (!is_digit(c)) {
                                lx->error_message = "invalid number; expected digit after exponent sign";
                                return TOK_PARSE_ERROR;
                        }
                } else if (!is_digit(c)) {
                        lx->error_message = "invalid number; expected '+', '-', or digit after exponent";
                        return TOK_PARSE_ERROR;
                }
                do
                        lex_add(lx, c);
                while (is_digit(c = lex_get(lx)));
        }
        lex_unget(lx);

        const char *num = lx->token_buffer.buf;
        char *end;
        if (type == TOK_UNSIGNED) {
                errno = 0;
                unsigned long long x = strtoull(num, &end, 10);
                if (errno == 0) {
                        lx->value_unsigned = x;
                        return TOK_UNSIGNED;
                }
        } else if (type == TOK_INTEGER) {
                errno = 0;
                long long x = strtoll(num, &end, 10);
                if (errno == 0) {
                        lx->value_integer = x;
                        return TOK_INTEGER;
                }
        }
        lx->value_float = strtod(num, &end);
        return TOK_FLOAT;
}

static JsonToken lex_literal(JsonLexer *lx, const char *text, JsonToken t) {
        for (size_t i = 1; text[i]; i++)
                if (lex_get(lx) != (unsigned char) text[i]) {
                        lx->error_message = "invalid literal";
                        return TOK_PARSE_ERROR;
                }
        return t;
}

static JsonToken lex_scan(JsonLexer *lx) {
        if (lx->chars_read_total == 0) {
                /* A UTF-8 byte order mark is skipped. */
                if (lex_get(lx) == 0xef) {
                        if (!(lex_get(lx) == 0xbb && lex_get(lx) == 0xbf)) {
                                lx->error_message = "invalid BOM; must be 0xEF 0xBB 0xBF if given";
                                return TOK_PARSE_ERROR;
                        }
                } else
                        lex_unget(lx);
        }

        int c;
        do
                c = lex_get(lx);
        while (c == ' ' || c == '\t' || c == '\n' || c == '\r');

        switch (c) {
        case '[': return TOK_BEGIN_ARRAY;
        case ']': return TOK_END_ARRAY;
        case '{': return TOK_BEGIN_OBJECT;
        case '}': return TOK_END_OBJECT;
        case ':': return TOK_NAME_SEPARATOR;
        case ',': return TOK_VALUE_SEPARATOR;
        case 't': return lex_literal(lx, "true", TOK_TRUE);
        case 'f': return lex_literal(lx, "false", TOK_FALSE);
        case 'n': return lex_literal(lx, "null", TOK_NULL);
        case '"': return lex_string(lx);
        case '-':
        case '0' ... '9':
                return lex_number(lx);
        case 0:
        case JSON_EOF:
                return TOK_END_OF_INPUT;
        default:
                lx->error_message = "invalid literal";
                return TOK_PARSE_ERROR;
        }
}

/* One open array or object: its values so far (and keys, for objects).
 * Lives on the GC heap, since it holds the only pointers to those values. */
typedef struct JsonFrame {
        bool is_array;
        size_t n, cap;
        Value **values;
        Symbol *keys; /* objects only; atomic */
        Value *dest;  /* where the finished container goes */
} JsonFrame;

typedef struct JsonParser {
        EvalState *st;
        JsonLexer lx;
        JsonToken last;
        size_t depth, cap_frames;
        JsonFrame *frames; /* GC */
} JsonParser;

static JsonToken next_token(JsonParser *p) {
        return p->last = lex_scan(&p->lx);
}

static void append_token_string(StrBuf *out, const StrBuf *ts) {
        for (size_t i = 0; i < ts->len; i++) {
                unsigned char c = (unsigned char) ts->buf[i];
                if (c <= 0x1f)
                        strbuf_addf(out, "<U+%.4X>", c);
                else
                        strbuf_addc(out, (char) c);
        }
}

static int syntax_error(JsonParser *p, JsonToken expected, const char *context) {
        _cleanup_strbuf_ StrBuf msg = STRBUF_INIT;

        strbuf_addf(&msg, "[json.exception.parse_error.101] parse error at line %zu, column %zu: syntax error ",
                    p->lx.lines_read + 1, p->lx.chars_read_current_line);
        if (context)
                strbuf_addf(&msg, "while parsing %s ", context);
        strbuf_adds(&msg, "- ");
        if (p->last == TOK_PARSE_ERROR) {
                strbuf_adds(&msg, p->lx.error_message);
                strbuf_adds(&msg, "; last read: '");
                append_token_string(&msg, &p->lx.token_string);
                strbuf_addc(&msg, '\'');
        } else
                strbuf_addf(&msg, "unexpected %s", token_name(p->last));
        if (expected != TOK_UNINITIALIZED)
                strbuf_addf(&msg, "; expected %s", token_name(expected));
        return eval_error(p->st, EVAL_ERROR_GENERIC, NULL, "%s", msg.buf);
}

static Value **frame_slot(JsonFrame *f) {
        if (f->n == f->cap) {
                size_t cap = f->cap ? f->cap * 2 : 8;
                Value **values = gc_alloc(cap * sizeof(Value *));
                if (f->n)
                        memcpy(values, f->values, f->n * sizeof(Value *));
                f->values = values;
                if (!f->is_array) {
                        Symbol *keys = gc_alloc_atomic(cap * sizeof(Symbol));
                        if (f->n)
                                memcpy(keys, f->keys, f->n * sizeof(Symbol));
                        f->keys = keys;
                }
                f->cap = cap;
        }
        f->values[f->n] = value_new();
        return &f->values[f->n++];
}

/* The value the next scalar or container goes to. */
static Value *dest_value(JsonParser *p, Value *top) {
        if (p->depth == 0)
                return top;
        JsonFrame *f = &p->frames[p->depth - 1];
        if (f->is_array)
                return *frame_slot(f);
        /* Objects: the slot was made when the key was read. */
        return f->values[f->n - 1];
}

static void push_frame(JsonParser *p, bool is_array, Value *dest) {
        if (p->depth == p->cap_frames) {
                size_t cap = p->cap_frames ? p->cap_frames * 2 : 16;
                JsonFrame *frames = gc_alloc(cap * sizeof(JsonFrame));
                if (p->depth)
                        memcpy(frames, p->frames, p->depth * sizeof(JsonFrame));
                p->frames = frames;
                p->cap_frames = cap;
        }
        p->frames[p->depth++] = (JsonFrame) { .is_array = is_array, .dest = dest };
}

typedef struct KeyIndex {
        Symbol sym;
        size_t index;
} KeyIndex;

static int key_index_compare(const void *a, const void *b) {
        const KeyIndex *x = a, *y = b;
        if (x->sym != y->sym)
                return x->sym < y->sym ? -1 : 1;
        return x->index < y->index ? -1 : x->index > y->index;
}

static void pop_frame(JsonParser *p) {
        JsonFrame *f = &p->frames[--p->depth];

        if (f->is_array) {
                value_set_list(f->dest, f->n);
                if (f->n)
                        memcpy(f->dest->list.elems, f->values, f->n * sizeof(Value *));
        } else {
                /* Later duplicates win; Bindings want increasing Symbols. */
                _cleanup_free_ KeyIndex *idx = f->n ? xmalloc(f->n * sizeof(KeyIndex)) : NULL;
                size_t n_unique = 0;
                for (size_t i = 0; i < f->n; i++)
                        idx[i] = (KeyIndex) { f->keys[i], i };
                if (f->n)
                        qsort(idx, f->n, sizeof(KeyIndex), key_index_compare);
                for (size_t i = 0; i < f->n; i++)
                        if (i + 1 == f->n || idx[i + 1].sym != idx[i].sym)
                                n_unique++;
                Bindings *b = bindings_new(n_unique);
                for (size_t i = 0; i < f->n; i++)
                        if (i + 1 == f->n || idx[i + 1].sym != idx[i].sym)
                                bindings_push(b, idx[i].sym, f->values[idx[i].index], NULL);
                value_set_attrs(f->dest, b);
        }
        *f = (JsonFrame) {};
}

/* Reads a key and its ':' after '{' or ','; the current token is the key. */
static int parse_key(JsonParser *p) {
        if (p->last != TOK_STRING)
                return syntax_error(p, TOK_STRING, "object key");
        JsonFrame *f = &p->frames[p->depth - 1];
        frame_slot(f);
        f->keys[f->n - 1] = symbol_intern(p->lx.token_buffer.buf, p->lx.token_buffer.len);
        if (next_token(p) != TOK_NAME_SEPARATOR)
                return syntax_error(p, TOK_NAME_SEPARATOR, "object separator");
        next_token(p);
        return 0;
}

static int parse(JsonParser *p, Value *top) {
        int r;

        next_token(p);
        for (;;) {
                /* A value starts at the current token. */
                bool skip_value = false;
                switch (p->last) {
                case TOK_BEGIN_OBJECT:
                        push_frame(p, false, dest_value(p, top));
                        if (next_token(p) == TOK_END_OBJECT) {
                                pop_frame(p);
                                break;
                        }
                        r = parse_key(p);
                        if (r < 0)
                                return r;
                        continue;
                case TOK_BEGIN_ARRAY:
                        push_frame(p, true, dest_value(p, top));
                        if (next_token(p) == TOK_END_ARRAY) {
                                pop_frame(p);
                                break;
                        }
                        continue;
                case TOK_FLOAT:
                        if (!isfinite(p->lx.value_float)) {
                                _cleanup_strbuf_ StrBuf num = STRBUF_INIT;
                                append_token_string(&num, &p->lx.token_string);
                                return eval_error(p->st, EVAL_ERROR_GENERIC, NULL,
                                                  "[json.exception.out_of_range.406] number overflow parsing '%s'",
                                                  num.buf);
                        }
                        value_set_float(dest_value(p, top), p->lx.value_float);
                        break;
                case TOK_FALSE:
                        value_set_bool(dest_value(p, top), false);
                        break;
                case TOK_TRUE:
                        value_set_bool(dest_value(p, top), true);
                        break;
                case TOK_NULL:
                        value_set_null(dest_value(p, top));
                        break;
                case TOK_INTEGER:
                        value_set_int(dest_value(p, top), p->lx.value_integer);
                        break;
                case TOK_UNSIGNED:
                        /* Nix stores it in an int64, wrapping above INT64_MAX. */
                        value_set_int(dest_value(p, top), (int64_t) p->lx.value_unsigned);
                        break;
                case TOK_STRING:
                        value_set_string_copy(dest_value(p, top), p->lx.token_buffer.buf,
                                              p->lx.token_buffer.len, NULL);
                        break;
                case TOK_PARSE_ERROR:
                        return syntax_error(p, TOK_UNINITIALIZED, "value");
                default:
                        return syntax_error(p, TOK_LITERAL_OR_VALUE, "value");
                }

                /* A value is complete: continue the enclosing containers. */
                do {
                        skip_value = false;
                        if (p->depth == 0)
                                return 0;
                        JsonFrame *f = &p->frames[p->depth - 1];
                        if (f->is_array) {
                                if (next_token(p) == TOK_VALUE_SEPARATOR) {
                                        next_token(p);
                                        break;
                                }
                                if (p->last != TOK_END_ARRAY)
                                        return syntax_error(p, TOK_END_ARRAY, "array");
                                pop_frame(p);
                                skip_value = true;
                        } else {
                                if (next_token(p) == TOK_VALUE_SEPARATOR) {
                                        next_token(p);
                                        r = parse_key(p);
                                        if (r < 0)
                                                return r;
                                        break;
                                }
                                if (p->last != TOK_END_OBJECT)
                                        return syntax_error(p, TOK_END_OBJECT, "object");
                                pop_frame(p);
                                skip_value = true;
                        }
                } while (skip_value);
        }
}

int value_from_json(EvalState *st, const char *text, const Pos *pos, Value *ret) {
        JsonParser p = {
                .st = st,
                .lx = {
                        .text = (const unsigned char *) text,
                        .len = strlen(text),
                        .token_string = STRBUF_INIT,
                        .token_buffer = STRBUF_INIT,
                },
        };
        Value *top = value_new();
        int r;

        r = parse(&p, top);
        if (r >= 0 && next_token(&p) != TOK_END_OF_INPUT)
                r = syntax_error(&p, TOK_END_OF_INPUT, "value");
        strbuf_release(&p.lx.token_string);
        strbuf_release(&p.lx.token_buffer);
        if (r < 0)
                return r;
        *ret = *top;
        return 0;
}
