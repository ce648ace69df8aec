#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "conf.h"
#include "strbuf.h"
#include "xalloc.h"

typedef struct ConfEntry {
        char *name, *value;
} ConfEntry;

struct Conf {
        ConfEntry *entries;
        size_t n;
};

Conf *conf_new(void) {
        return xcalloc(1, sizeof(Conf));
}

Conf *conf_free(Conf *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++) {
                free(c->entries[i].name);
                free(c->entries[i].value);
        }
        free(c->entries);
        free(c);
        return NULL;
}

static ConfEntry *find(const Conf *c, const char *name) {
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->entries[i].name, name) == 0)
                        return &c->entries[i];
        return NULL;
}

void conf_set(Conf *c, const char *name, const char *value) {
        bool extra = strncmp(name, "extra-", 6) == 0;
        const char *key = extra ? name + 6 : name;
        ConfEntry *e = find(c, key);
        if (!e) {
                c->entries = xrealloc(c->entries, (c->n + 1) * sizeof(ConfEntry));
                e = &c->entries[c->n++];
                e->name = xstrdup(key);
                e->value = xstrdup(value);
                return;
        }
        if (extra && *e->value) {
                StrBuf sb = STRBUF_INIT;
                strbuf_addf(&sb, "%s %s", e->value, value);
                free(e->value);
                e->value = strbuf_detach(&sb, NULL);
        } else {
                free(e->value);
                e->value = xstrdup(value);
        }
}

static char *trim(char *s) {
        while (isspace((unsigned char) *s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char) s[n - 1]))
                s[--n] = 0;
        return s;
}

int conf_load_file(Conf *c, const char *path, char **ret_error) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? 0 : -errno;
        char *line = NULL;
        size_t cap = 0;
        unsigned lineno = 0;
        int r = 0;
        while (getline(&line, &cap, f) >= 0) {
                lineno++;
                char *hash = strchr(line, '#');
                if (hash)
                        *hash = 0;
                char *s = trim(line);
                if (!*s)
                        continue;
                char *eq = strchr(s, '=');
                if (!eq) {
                        StrBuf sb = STRBUF_INIT;
                        strbuf_addf(&sb, "%s:%u: expected 'name = value'", path, lineno);
                        *ret_error = strbuf_detach(&sb, NULL);
                        r = -EINVAL;
                        break;
                }
                *eq = 0;
                conf_set(c, trim(s), trim(eq + 1));
        }
        free(line);
        return r;
}

const char *conf_get(const Conf *c, const char *name, const char *def) {
        ConfEntry *e = find(c, name);
        return e ? e->value : def;
}

unsigned conf_get_unsigned(const Conf *c, const char *name, unsigned def, unsigned auto_value) {
        const char *v = conf_get(c, name, NULL);
        if (!v)
                return def;
        if (strcmp(v, "auto") == 0)
                return auto_value;
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        return *v && !*end && n < 1u << 20 ? (unsigned) n : def;
}

bool conf_get_bool(const Conf *c, const char *name, bool def) {
        const char *v = conf_get(c, name, NULL);
        if (!v)
                return def;
        if (strcmp(v, "true") == 0)
                return true;
        if (strcmp(v, "false") == 0)
                return false;
        return def;
}

const char *conf_default_path(void) {
        const char *env = getenv("FIRN_CONF");
        return env && *env ? env : "/etc/firn/firn.conf";
}
