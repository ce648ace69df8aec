/* Parsing for firn's stage-1 init (see the header). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "stage-1-conf.h"

#define MAX_WORDS 8

static void *xmalloc1(size_t n) {
        void *p = malloc(n ? n : 1);
        if (!p)
                abort();
        return p;
}

static void *xrealloc1(void *p, size_t n) {
        p = realloc(p, n ? n : 1);
        if (!p)
                abort();
        return p;
}

static char *xstrndup1(const char *s, size_t n) {
        char *p = xmalloc1(n + 1);
        memcpy(p, s, n);
        p[n] = 0;
        return p;
}

static char *xstrdup1(const char *s) {
        return xstrndup1(s, strlen(s));
}

static int fail(char *err, size_t errlen, unsigned line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, unsigned line, const char *fmt, ...) {
        if (errlen) {
                int n = line ? snprintf(err, errlen, "line %u: ", line) : 0;
                if (n < 0 || (size_t) n >= errlen)
                        n = 0;
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err + n, errlen - n, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
}

/* Copies the word [s, s+n) decoding \NNN octal escapes. */
static char *unescape(const char *s, size_t n) {
        char *out = xmalloc1(n + 1), *o = out;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        char c = (char) ((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        if (c) {
                                *o++ = c;
                                i += 3;
                                continue;
                        }
                }
                *o++ = s[i];
        }
        *o = 0;
        return out;
}

/* Splits the line [s, s+n) into at most MAX_WORDS words (malloc'ed);
 * returns how many, or MAX_WORDS + 1 when there are more. */
static size_t split_words(const char *s, size_t n, char *words[MAX_WORDS]) {
        size_t k = 0, i = 0;
        for (;;) {
                while (i < n && is_blank(s[i]))
                        i++;
                if (i == n || s[i] == '#')
                        return k;
                size_t start = i;
                while (i < n && !is_blank(s[i]))
                        i++;
                if (k == MAX_WORDS)
                        return MAX_WORDS + 1;
                words[k++] = unescape(s + start, i - start);
        }
}

/* Whether an absolute path has only non-empty components other than "."
 * and ".." (a trailing '/' is allowed). */
static bool path_is_clean_absolute(const char *p) {
        if (p[0] != '/')
                return false;
        for (const char *c = p + 1; *c;) {
                size_t n = strcspn(c, "/");
                if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c += n;
                if (*c)
                        c++;
        }
        return true;
}

static int parse_unsigned(const char *s, unsigned max, unsigned *ret) {
        if (!*s)
                return -EINVAL;
        unsigned long v = 0;
        for (const char *c = s; *c; c++) {
                if (*c < '0' || *c > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long) (*c - '0');
                if (v > max)
                        return -ERANGE;
        }
        *ret = (unsigned) v;
        return 0;
}

void stage1_conf_done(Stage1Conf *conf) {
        for (size_t i = 0; i < conf->n_modules; i++)
                free(conf->modules[i]);
        free(conf->modules);
        Stage1Mount *all[STAGE1_MAX_MOUNTS + 1];
        size_t n = 0;
        if (conf->has_root)
                all[n++] = &conf->root;
        for (size_t i = 0; i < conf->n_mounts; i++)
                all[n++] = &conf->mounts[i];
        for (size_t i = 0; i < n; i++) {
                free(all[i]->source);
                free(all[i]->target);
                free(all[i]->fstype);
                free(all[i]->options);
        }
        free(conf->mounts);
        memset(conf, 0, sizeof(*conf));
}

static void words_free(char **words, size_t n) {
        for (size_t i = 0; i < n && i < MAX_WORDS; i++)
                free(words[i]);
}

static int parse_line(Stage1Conf *c, char **w, size_t n, unsigned line, bool *seen_timeout, bool *seen_shell,
                      char *err, size_t errlen) {
        const char *d = w[0];
        if (strcmp(d, "module") == 0) {
                if (n != 2)
                        return fail(err, errlen, line, "'module' takes one path, got %zu words", n - 1);
                if (c->n_modules == STAGE1_MAX_MODULES)
                        return fail(err, errlen, line, "more than %d modules", STAGE1_MAX_MODULES);
                c->modules = xrealloc1(c->modules, (c->n_modules + 1) * sizeof(char *));
                c->modules[c->n_modules++] = xstrdup1(w[1]);
                return 0;
        }
        if (strcmp(d, "root") == 0 || strcmp(d, "mount") == 0) {
                bool root = d[0] == 'r';
                size_t min = root ? 3 : 4;
                if (n < min || n > min + 1)
                        return fail(err, errlen, line, "'%s' takes %s, got %zu words", d,
                                    root ? "DEVSPEC FSTYPE [OPTIONS]" : "SOURCE TARGET FSTYPE [OPTIONS]", n - 1);
                if (root && c->has_root)
                        return fail(err, errlen, line, "a second 'root' line");
                if (!root && c->n_mounts == STAGE1_MAX_MOUNTS)
                        return fail(err, errlen, line, "more than %d mount lines", STAGE1_MAX_MOUNTS);
                const char *target = root ? "/" : w[2];
                if (!root && (!path_is_clean_absolute(target) || strspn(target, "/") == strlen(target)))
                        return fail(err, errlen, line,
                                    "mount target '%s' must be an absolute path below / without '.' or '..' "
                                    "components",
                                    target);
                Stage1Mount m = {
                        .source = xstrdup1(w[1]),
                        .target = xstrdup1(target),
                        .fstype = xstrdup1(w[min - 1]),
                        .options = xstrdup1(n > min ? w[min] : "defaults"),
                };
                if (root) {
                        c->root = m;
                        c->has_root = true;
                } else {
                        c->mounts = xrealloc1(c->mounts, (c->n_mounts + 1) * sizeof(Stage1Mount));
                        c->mounts[c->n_mounts++] = m;
                }
                return 0;
        }
        if (strcmp(d, "timeout") == 0) {
                if (n != 2)
                        return fail(err, errlen, line, "'timeout' takes one number of seconds");
                if (*seen_timeout)
                        return fail(err, errlen, line, "a second 'timeout' line");
                if (parse_unsigned(w[1], STAGE1_MAX_TIMEOUT, &c->timeout) < 0)
                        return fail(err, errlen, line, "timeout '%s' is not a number of seconds from 0 to %d", w[1],
                                    STAGE1_MAX_TIMEOUT);
                *seen_timeout = true;
                return 0;
        }
        if (strcmp(d, "emergency-shell") == 0) {
                if (n != 2 || (strcmp(w[1], "0") != 0 && strcmp(w[1], "1") != 0))
                        return fail(err, errlen, line, "'emergency-shell' takes 0 or 1");
                if (*seen_shell)
                        return fail(err, errlen, line, "a second 'emergency-shell' line");
                c->emergency_shell = w[1][0] == '1';
                *seen_shell = true;
                return 0;
        }
        return fail(err, errlen, line, "unknown directive '%s'", d);
}

int stage1_conf_parse(const char *text, Stage1Conf *ret, char *err, size_t errlen) {
        Stage1Conf c = { .timeout = STAGE1_DEFAULT_TIMEOUT };
        bool seen_timeout = false, seen_shell = false;
        unsigned line = 0;
        if (errlen)
                err[0] = 0;
        if (strlen(text) > STAGE1_CONF_MAX_SIZE)
                return fail(err, errlen, 0, "the configuration is larger than %d bytes", STAGE1_CONF_MAX_SIZE);

        for (const char *p = text; *p;) {
                size_t n = strcspn(p, "\n");
                line++;
                char *w[MAX_WORDS];
                size_t k = split_words(p, n, w);
                p += n;
                if (*p)
                        p++;
                if (k == 0)
                        continue;
                int r = k > MAX_WORDS ? fail(err, errlen, line, "too many words")
                                      : parse_line(&c, w, k, line, &seen_timeout, &seen_shell, err, errlen);
                words_free(w, k);
                if (r < 0) {
                        stage1_conf_done(&c);
                        return r;
                }
        }
        if (!c.has_root) {
                stage1_conf_done(&c);
                return fail(err, errlen, 0, "no 'root' line");
        }
        *ret = c;
        return 0;
}

/* ---- the kernel command line --------------------------------------------- */

void stage1_cmdline_done(Stage1Cmdline *cmdline) {
        free(cmdline->init);
        free(cmdline->root);
        memset(cmdline, 0, sizeof(*cmdline));
}

static void set_str(char **slot, const char *value) {
        free(*slot);
        *slot = xstrdup1(value);
}

void stage1_cmdline_parse(const char *text, Stage1Cmdline *ret) {
        Stage1Cmdline c = { 0 };
        size_t len = strlen(text);
        char *word = xmalloc1(len + 1);
        for (const char *p = text;;) {
                while (*p == ' ' || *p == '\t' || *p == '\n')
                        p++;
                if (!*p)
                        break;
                size_t n = 0;
                bool quoted = false;
                for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
                        if (*p == '"')
                                quoted = !quoted;
                        else
                                word[n++] = *p;
                }
                word[n] = 0;
                if (strncmp(word, "init=", 5) == 0)
                        set_str(&c.init, word + 5);
                else if (strncmp(word, "firn.root=", 10) == 0)
                        set_str(&c.root, word + 10);
                else if (strcmp(word, "firn.shell") == 0)
                        c.shell = true;
                else if (strncmp(word, "firn.shell=", 11) == 0) {
                        const char *v = word + 11;
                        c.shell = strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
                                  strcmp(v, "on") == 0;
                }
        }
        free(word);
        if (c.init && !*c.init) {
                free(c.init);
                c.init = NULL;
        }
        if (c.root && !*c.root) {
                free(c.root);
                c.root = NULL;
        }
        *ret = c;
}

/* ---- mount options ------------------------------------------------------- */

static const struct {
        const char *word;
        unsigned long set, clear;
} flag_words[] = {
        { "defaults", 0, 0 },
        { "ro", MS_RDONLY, 0 },
        { "rw", 0, MS_RDONLY },
        { "nosuid", MS_NOSUID, 0 },
        { "suid", 0, MS_NOSUID },
        { "nodev", MS_NODEV, 0 },
        { "dev", 0, MS_NODEV },
        { "noexec", MS_NOEXEC, 0 },
        { "exec", 0, MS_NOEXEC },
        { "sync", MS_SYNCHRONOUS, 0 },
        { "async", 0, MS_SYNCHRONOUS },
        { "dirsync", MS_DIRSYNC, 0 },
        { "mand", MS_MANDLOCK, 0 },
        { "nomand", 0, MS_MANDLOCK },
        { "noatime", MS_NOATIME, 0 },
        { "atime", 0, MS_NOATIME },
        { "nodiratime", MS_NODIRATIME, 0 },
        { "diratime", 0, MS_NODIRATIME },
        { "relatime", MS_RELATIME, 0 },
        { "norelatime", 0, MS_RELATIME },
        { "strictatime", MS_STRICTATIME, 0 },
        { "lazytime", MS_LAZYTIME, 0 },
        { "nolazytime", 0, MS_LAZYTIME },
        { "silent", MS_SILENT, 0 },
        { "loud", 0, MS_SILENT },
};

void stage1_mount_options(const char *options, unsigned long *ret_flags, char **ret_data) {
        unsigned long flags = 0;
        size_t len = strlen(options);
        char *data = xmalloc1(len + 1);
        size_t dlen = 0;
        for (const char *p = options; *p;) {
                size_t n = strcspn(p, ",");
                bool known = false;
                for (size_t i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++)
                        if (strlen(flag_words[i].word) == n && strncmp(p, flag_words[i].word, n) == 0) {
                                flags = (flags & ~flag_words[i].clear) | flag_words[i].set;
                                known = true;
                                break;
                        }
                if (!known && n > 0) {
                        if (dlen)
                                data[dlen++] = ',';
                        memcpy(data + dlen, p, n);
                        dlen += n;
                }
                p += n;
                if (*p)
                        p++;
        }
        data[dlen] = 0;
        *ret_flags = flags;
        *ret_data = data;
}

bool stage1_options_have(const char *data, const char *key) {
        size_t k = strlen(key);
        for (const char *p = data; *p;) {
                size_t n = strcspn(p, ",");
                if (n >= k && strncmp(p, key, k) == 0 && (n == k || p[k] == '='))
                        return true;
                p += n;
                if (*p)
                        p++;
        }
        return false;
}
