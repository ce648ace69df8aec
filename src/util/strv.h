/* NULL-terminated arrays of malloc'ed strings (systemd's strv): the lists of
 * store paths that queries return. A NULL strv is the empty list. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

size_t strv_length(char *const *l);
/* Appends a copy of s; returns the (possibly moved) array. */
char **strv_push(char **l, const char *s);
/* Appends s itself (ownership moves into the array). */
char **strv_consume(char **l, char *s);
bool strv_contains(char *const *l, const char *s);
/* Sorts bytewise and drops duplicates. */
void strv_sort_unique(char **l);
char **strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ __attribute__((cleanup(strv_freep)))
