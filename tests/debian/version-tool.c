/* A test helper for dpkg-compare.py: firn's Debian version comparison over
 * many inputs in one process (not installed).
 *
 *   version-tool            per stdin line "A B": prints -1, 0 or 1
 *                           (deb_version_compare); per line "A OP B"
 *                           (OP as in dependency fields: << <= = >= >> < >)
 *                           prints 1 or 0 (deb_version_satisfies); prints E
 *                           for an invalid version or operator.
 *   version-tool --sort     reads one version per line, prints them sorted
 *                           ascending; exits 1 on an invalid version.
 *
 * Output is one line per input line, flushed at the end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "version.h"

#define MAX_FIELDS 3

/* Splits line in place at blanks; returns the number of fields (at most
 * MAX_FIELDS + 1, to detect too many). */
static size_t split_fields(char *line, char *fields[static MAX_FIELDS + 1]) {
        size_t n = 0;
        char *save = NULL;

        for (char *tok = strtok_r(line, " \t\r\n", &save); tok && n <= MAX_FIELDS;
             tok = strtok_r(NULL, " \t\r\n", &save))
                fields[n++] = tok;
        return n;
}

static void do_line(char *line) {
        char *f[MAX_FIELDS + 1];
        size_t n = split_fields(line, f);
        DebRelation rel;
        int cmp;

        if (n == 2) {
                if (deb_version_compare_str(f[0], f[1], &cmp) < 0)
                        puts("E");
                else
                        printf("%d\n", cmp);
        } else if (n == 3) {
                if (deb_relation_parse(f[1], strlen(f[1]), &rel) < 0 ||
                    deb_version_compare_str(f[0], f[2], &cmp) < 0)
                        puts("E");
                else
                        puts(deb_version_satisfies(f[0], rel, f[2]) ? "1" : "0");
        } else
                puts("E");
}

typedef struct Item {
        char *text;
        DebVersion v;
} Item;

static int item_compare(const void *a, const void *b) {
        return deb_version_compare(&((const Item *) a)->v, &((const Item *) b)->v);
}

static int do_sort(void) {
        _cleanup_free_ char *line = NULL;
        _cleanup_free_ Item *items = NULL;
        size_t n = 0, alloc = 0, cap = 0;
        ssize_t len;
        int r = 0;

        while ((len = getline(&line, &cap, stdin)) >= 0) {
                while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                        line[--len] = '\0';
                if (len == 0)
                        continue;
                if (n == alloc) {
                        Item *p;

                        alloc = alloc ? 2 * alloc : 1024;
                        p = realloc(items, alloc * sizeof(Item));
                        if (!p) {
                                r = -ENOMEM;
                                break;
                        }
                        items = p;
                }
                items[n].text = strdup(line);
                if (!items[n].text) {
                        r = -ENOMEM;
                        break;
                }
                /* Slices point into text, which stays put. */
                if (deb_version_parse(items[n].text, (size_t) len, &items[n].v) < 0) {
                        fprintf(stderr, "version-tool: invalid version '%s'\n", items[n].text);
                        free(items[n].text);
                        r = -EINVAL;
                        break;
                }
                n++;
        }
        if (r >= 0) {
                qsort(items, n, sizeof(Item), item_compare);
                for (size_t i = 0; i < n; i++)
                        puts(items[i].text);
        } else if (r == -ENOMEM)
                fputs("version-tool: out of memory\n", stderr);
        for (size_t i = 0; i < n; i++)
                free(items[i].text);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;

        if (argc == 2 && strcmp(argv[1], "--sort") == 0)
                return do_sort();
        if (argc != 1) {
                fputs("usage: version-tool [--sort] < input\n", stderr);
                return EXIT_FAILURE;
        }
        while (getline(&line, &cap, stdin) >= 0)
                do_line(line);
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
