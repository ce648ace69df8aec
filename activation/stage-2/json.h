/* A small JSON reader for activation.json.
 *
 * The stage-2 program is linked statically and jansson is only available as
 * a shared library, so this reads the subset of JSON the activation file
 * needs: all of RFC 8259 except non-integer numbers (fractions and
 * exponents are rejected) and strings holding U+0000.
 *
 * Values form a tree owned by its root; json_free() releases all of it.
 * Bounds: nesting depth at most JSON_MAX_DEPTH, input at most
 * JSON_MAX_INPUT bytes. Duplicate object keys are kept; json_get() returns
 * the first. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 64
#define JSON_MAX_INPUT (16u << 20)

typedef enum JsonType {
        JSON_NULL,
        JSON_BOOL,
        JSON_INT,
        JSON_STRING,
        JSON_ARRAY,
        JSON_OBJECT,
} JsonType;

typedef struct Json Json;
struct Json {
        JsonType type;
        bool boolean;        /* JSON_BOOL */
        long long integer;   /* JSON_INT */
        char *string;        /* JSON_STRING: NUL-terminated UTF-8, no NUL inside */
        size_t n;            /* JSON_ARRAY, JSON_OBJECT: number of items */
        Json **items;        /* JSON_ARRAY, JSON_OBJECT: the values */
        char **keys;         /* JSON_OBJECT: keys[i] names items[i] */
};

/* Parses data[0..len). On success *ret is the root value (caller frees
 * with json_free) and 0 is returned. On a syntax error returns -EINVAL and
 * sets *ret_error (malloc'ed, caller frees) to "LINE:COLUMN: what"; on an
 * input that exceeds a bound, -E2BIG with a message the same way. */
int json_parse(const char *data, size_t len, Json **ret, char **ret_error);

/* Frees v and everything under it; accepts NULL; returns NULL. */
Json *json_free(Json *v);

/* The value of key in object o, or NULL when o is not an object or has no
 * such key. The result is owned by o. */
const Json *json_get(const Json *o, const char *key);

/* "null", "a boolean", … for error messages. */
const char *json_type_name(JsonType t);
