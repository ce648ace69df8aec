#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-env.h"
#include "hash.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

static char **env_set(char **env, const char *name, const char *value) {
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s=%s", name, value);
        size_t nl = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, nl) == 0 && env[i][nl] == '=') {
                        free(env[i]);
                        env[i] = strbuf_detach(&sb, NULL);
                        return env;
                }
        return strv_consume(env, strbuf_detach(&sb, NULL));
}

/* Whether name is one of the space-separated words of list. */
static int word_in(const char *list, const char *name) {
        size_t nl = strlen(name);
        for (const char *p = list; p && *p;) {
                while (*p == ' ')
                        p++;
                size_t wl = strcspn(p, " ");
                if (wl == nl && strncmp(p, name, nl) == 0)
                        return 1;
                p += wl;
        }
        return 0;
}

static void add_file(BuildEnv *e, char *name, const char *contents) {
        e->files = xrealloc(e->files, (e->n_files + 1) * sizeof(BuildFile));
        e->files[e->n_files++] = (BuildFile) { .name = name, .contents = xstrdup(contents) };
}

void build_env_make(const Derivation *drv, const char *store_dir, unsigned cores, BuildEnv *ret) {
        BuildEnv e = { 0 };
        char buf[32];
        e.env = env_set(e.env, "PATH", "/path-not-set");
        e.env = env_set(e.env, "HOME", "/homeless-shelter");
        e.env = env_set(e.env, "NIX_STORE", store_dir);
        snprintf(buf, sizeof(buf), "%u", cores);
        e.env = env_set(e.env, "NIX_BUILD_CORES", buf);

        const char *structured = drv_get_env(drv, "__json");
        const char *pass_as_file = drv_get_env(drv, "passAsFile");
        if (structured)
                add_file(&e, xstrdup(".attrs.json"), structured);
        else
                for (size_t i = 0; i < drv->n_env; i++) {
                        const DrvEnv *v = &drv->env[i];
                        if (!pass_as_file || !word_in(pass_as_file, v->name)) {
                                e.env = env_set(e.env, v->name, v->value);
                                continue;
                        }
                        Hash h;
                        hash_buffer(HASH_SHA256, v->name, strlen(v->name), &h);
                        char *b32 = hash_to_string(&h, HASH_FORMAT_BASE32);
                        StrBuf file = STRBUF_INIT, var = STRBUF_INIT, path = STRBUF_INIT;
                        strbuf_addf(&file, ".attr-%s", b32);
                        strbuf_addf(&var, "%sPath", v->name);
                        strbuf_addf(&path, BUILD_TOP "/%s", file.buf);
                        e.env = env_set(e.env, var.buf, path.buf);
                        add_file(&e, strbuf_detach(&file, NULL), v->value);
                        strbuf_release(&var);
                        strbuf_release(&path);
                        free(b32);
                }
        static const char *const top_vars[] = { "NIX_BUILD_TOP", "TMPDIR", "TEMPDIR", "TMP", "TEMP", "PWD" };
        for (size_t i = 0; i < sizeof(top_vars) / sizeof(top_vars[0]); i++)
                e.env = env_set(e.env, top_vars[i], BUILD_TOP);
        e.env = env_set(e.env, "NIX_LOG_FD", "2");
        e.env = env_set(e.env, "TERM", "xterm-256color");
        strv_sort_unique(e.env);
        *ret = e;
}

void build_env_done(BuildEnv *e) {
        strv_free(e->env);
        for (size_t i = 0; i < e->n_files; i++) {
                free(e->files[i].name);
                free(e->files[i].contents);
        }
        free(e->files);
        *e = (BuildEnv) { 0 };
}
