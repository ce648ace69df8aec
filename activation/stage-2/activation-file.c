#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "activation-file.h"
#include "json.h"
#include "strbuf.h"
#include "xalloc.h"

/* Where a value sits in the file, for messages: "users[2].uid". */
typedef struct Ctx {
        char *error;
} Ctx;

static int bad(Ctx *c, const char *where, const char *fmt, ...) _printf_(3, 4);
static int bad(Ctx *c, const char *where, const char *fmt, ...) {
        if (c->error)
                return -EINVAL;
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s: ", where);
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        c->error = strbuf_detach(&sb, NULL);
        return -EINVAL;
}

bool activation_valid_name(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 32)
                return false;
        if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++) {
                char ch = s[i];
                if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                    ch == '_' || ch == '-' || ch == '.')
                        continue;
                if (ch == '$' && i == n - 1)
                        continue;
                return false;
        }
        return true;
}

/* A systemd unit name as systemd.unit(5) allows it: NAME.TYPE, at most
 * 255 bytes of [A-Za-z0-9:_.@\\-], with a known TYPE. */
static bool unit_name_valid(const char *s) {
        static const char *const types[] = { ".service", ".socket", ".target", ".device", ".mount", ".automount",
                                             ".swap", ".timer", ".path", ".slice", ".scope" };
        size_t len = strlen(s);
        if (len == 0 || len > 255 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.@\\-") != len)
                return false;
        const char *dot = strrchr(s, '.');
        if (!dot || dot == s)
                return false;
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
                if (strcmp(dot, types[i]) == 0)
                        return true;
        return false;
}

/* A relative path whose components are neither empty, ".", nor "..". */
static bool valid_relative_path(const char *s) {
        if (!*s || *s == '/' || strlen(s) > 4095)
                return false;
        const char *p = s;
        for (;;) {
                const char *e = strchrnul(p, '/');
                size_t n = (size_t) (e - p);
                if (n == 0 || n > 255 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                if (!*e)
                        return true;
                p = e + 1;
        }
}

int activation_parse_mode(const char *s, mode_t *ret) {
        if (!*s)
                return -EINVAL;
        if (s[0] >= '0' && s[0] <= '7') {
                unsigned long v = 0;
                size_t n = 0;
                for (const char *p = s; *p; p++, n++) {
                        if (*p < '0' || *p > '7' || n >= 5)
                                return -EINVAL;
                        v = v * 8 + (unsigned long) (*p - '0');
                }
                if (v > 07777)
                        return -EINVAL;
                *ret = (mode_t) v;
                return 0;
        }
        mode_t mode = 0;
        const char *p = s;
        for (;;) {
                mode_t who = 0;
                for (; *p && strchr("ugoa", *p); p++)
                        who |= *p == 'u' ? 04700 : *p == 'g' ? 02070 : *p == 'o' ? 01007 : 07777;
                if (who == 0)
                        who = 07777;
                char op = *p;
                if (op != '+' && op != '-' && op != '=')
                        return -EINVAL;
                p++;
                mode_t bits = 0;
                for (; *p && *p != ','; p++)
                        switch (*p) {
                        case 'r':
                                bits |= 0444;
                                break;
                        case 'w':
                                bits |= 0222;
                                break;
                        case 'x':
                                bits |= 0111;
                                break;
                        case 's':
                                bits |= 06000;
                                break;
                        case 't':
                                bits |= 01000;
                                break;
                        default:
                                return -EINVAL;
                        }
                /* Each who letter selects its own rwx bits plus its special
                 * bit (u: setuid, g: setgid, o: sticky). */
                bits &= who;
                if (op == '+')
                        mode |= bits;
                else if (op == '-')
                        mode &= ~bits;
                else
                        mode = (mode & ~who) | bits;
                if (!*p)
                        break;
                p++;
        }
        *ret = mode;
        return 0;
}

/* Field readers: absent keys give the default; a present key of the wrong
 * type is an error. */
static int get_string(Ctx *c, const Json *o, const char *key, const char *where, bool required,
                      bool nullable, const char *def, char **ret) {
        const Json *v = json_get(o, key);
        if (!v || (nullable && v->type == JSON_NULL)) {
                if (!v && required)
                        return bad(c, where, "missing \"%s\"", key);
                *ret = def ? xstrdup(def) : NULL;
                return 0;
        }
        if (v->type != JSON_STRING)
                return bad(c, where, "\"%s\": expected a string%s, got %s", key, nullable ? " or null" : "",
                           json_type_name(v->type));
        *ret = xstrdup(v->string);
        return 0;
}

static int get_bool(Ctx *c, const Json *o, const char *key, const char *where, bool *ret) {
        const Json *v = json_get(o, key);
        if (!v || v->type == JSON_NULL) {
                *ret = false;
                return 0;
        }
        if (v->type != JSON_BOOL)
                return bad(c, where, "\"%s\": expected a boolean, got %s", key, json_type_name(v->type));
        *ret = v->boolean;
        return 0;
}

static int get_id(Ctx *c, const Json *o, const char *key, const char *where, long long *ret) {
        const Json *v = json_get(o, key);
        if (!v || v->type == JSON_NULL) {
                *ret = ACTIVATION_ID_AUTO;
                return 0;
        }
        if (v->type != JSON_INT)
                return bad(c, where, "\"%s\": expected an integer or null, got %s", key, json_type_name(v->type));
        if (v->integer < 0 || v->integer >= (long long) UINT32_MAX)
                return bad(c, where, "\"%s\": %lld is not a valid id", key, v->integer);
        *ret = v->integer;
        return 0;
}

/* A string field that ends up inside a colon-separated account file. */
static int check_field(Ctx *c, const char *where, const char *key, const char *s) {
        if (s && strpbrk(s, ":\n"))
                return bad(c, where, "\"%s\" must not contain ':' or a newline", key);
        return 0;
}

static int parse_user(Ctx *c, const Json *o, const char *where, UserSpec *u) {
        int r;
        if (o->type != JSON_OBJECT)
                return bad(c, where, "expected an object");
        if ((r = get_string(c, o, "name", where, true, false, NULL, &u->name)) < 0)
                return r;
        if (!activation_valid_name(u->name))
                return bad(c, where, "invalid user name \"%s\"", u->name);
        if ((r = get_id(c, o, "uid", where, &u->uid)) < 0 ||
            (r = get_string(c, o, "group", where, false, true, "nogroup", &u->group)) < 0 ||
            (r = get_string(c, o, "description", where, false, true, "", &u->description)) < 0 ||
            (r = get_string(c, o, "home", where, false, true, "/var/empty", &u->home)) < 0 ||
            (r = get_string(c, o, "shell", where, false, true, "/usr/sbin/nologin", &u->shell)) < 0 ||
            (r = get_bool(c, o, "isSystemUser", where, &u->is_system)) < 0 ||
            (r = get_string(c, o, "hashedPassword", where, false, true, NULL, &u->hashed_password)) < 0 ||
            (r = get_string(c, o, "hashedPasswordFile", where, false, true, NULL, &u->hashed_password_file)) < 0 ||
            (r = get_string(c, o, "initialHashedPassword", where, false, true, NULL, &u->initial_hashed_password)) < 0 ||
            (r = get_bool(c, o, "createHome", where, &u->create_home)) < 0)
                return r;
        if ((r = check_field(c, where, "group", u->group)) < 0 ||
            (r = check_field(c, where, "description", u->description)) < 0 ||
            (r = check_field(c, where, "home", u->home)) < 0 ||
            (r = check_field(c, where, "shell", u->shell)) < 0 ||
            (r = check_field(c, where, "hashedPassword", u->hashed_password)) < 0 ||
            (r = check_field(c, where, "initialHashedPassword", u->initial_hashed_password)) < 0)
                return r;
        if (u->home[0] != '/')
                return bad(c, where, "\"home\" must be an absolute path");
        if (u->hashed_password_file && u->hashed_password_file[0] != '/')
                return bad(c, where, "\"hashedPasswordFile\" must be an absolute path");
        return 0;
}

static int parse_group(Ctx *c, const Json *o, const char *where, GroupSpec *g) {
        int r;
        if (o->type != JSON_OBJECT)
                return bad(c, where, "expected an object");
        if ((r = get_string(c, o, "name", where, true, false, NULL, &g->name)) < 0)
                return r;
        if (!activation_valid_name(g->name))
                return bad(c, where, "invalid group name \"%s\"", g->name);
        if ((r = get_id(c, o, "gid", where, &g->gid)) < 0)
                return r;
        const Json *m = json_get(o, "members");
        size_t n = m && m->type == JSON_ARRAY ? m->n : 0;
        g->members = xcalloc(n + 1, sizeof(char *));
        if (m && m->type != JSON_ARRAY && m->type != JSON_NULL)
                return bad(c, where, "\"members\": expected an array, got %s", json_type_name(m->type));
        for (size_t i = 0; i < n; i++) {
                const Json *s = m->items[i];
                if (s->type != JSON_STRING || !activation_valid_name(s->string))
                        return bad(c, where, "\"members\"[%zu]: expected a user name", i);
                g->members[i] = xstrdup(s->string);
        }
        return 0;
}

static int parse_wrapper(Ctx *c, const Json *o, const char *where, WrapperSpec *w) {
        int r;
        if (o->type != JSON_OBJECT)
                return bad(c, where, "expected an object");
        _cleanup_free_ char *perms = NULL;
        bool setuid = false, setgid = false;
        if ((r = get_string(c, o, "name", where, true, false, NULL, &w->name)) < 0 ||
            (r = get_string(c, o, "source", where, true, false, NULL, &w->source)) < 0 ||
            (r = get_string(c, o, "owner", where, false, true, "root", &w->owner)) < 0 ||
            (r = get_string(c, o, "group", where, false, true, "root", &w->group)) < 0 ||
            (r = get_bool(c, o, "setuid", where, &setuid)) < 0 ||
            (r = get_bool(c, o, "setgid", where, &setgid)) < 0 ||
            (r = get_string(c, o, "permissions", where, false, true, "u+rx,g+x,o+x", &perms)) < 0)
                return r;
        if (!*w->name || strchr(w->name, '/') || strcmp(w->name, ".") == 0 || strcmp(w->name, "..") == 0 ||
            strlen(w->name) > 255)
                return bad(c, where, "invalid wrapper name \"%s\"", w->name);
        if (w->source[0] != '/' || !valid_relative_path(w->source + 1))
                return bad(c, where, "\"source\" must be a normalised absolute path");
        if (activation_parse_mode(perms, &w->mode) < 0)
                return bad(c, where, "invalid \"permissions\" \"%s\"", perms);
        if (setuid)
                w->mode |= 04000;
        if (setgid)
                w->mode |= 02000;
        return 0;
}

static int parse_etc(Ctx *c, const char *target, const Json *o, EtcCopy *e) {
        int r;
        _cleanup_free_ char *where = xasprintf("etc.\"%s\"", target);
        if (!valid_relative_path(target))
                return bad(c, where, "not a relative path inside /etc");
        e->target = xstrdup(target);
        if (o->type != JSON_OBJECT)
                return bad(c, where, "expected an object");
        _cleanup_free_ char *mode = NULL;
        if ((r = get_string(c, o, "mode", where, true, false, NULL, &mode)) < 0)
                return r;
        if (strcmp(mode, "direct-symlink") == 0)
                e->direct_link = true;
        else if (activation_parse_mode(mode, &e->mode) < 0)
                return bad(c, where, "invalid \"mode\" \"%s\"", mode);
        if ((r = get_id(c, o, "uid", where, &e->uid)) < 0 || (r = get_id(c, o, "gid", where, &e->gid)) < 0 ||
            (r = get_string(c, o, "user", where, false, true, NULL, &e->user)) < 0 ||
            (r = get_string(c, o, "group", where, false, true, NULL, &e->group)) < 0)
                return r;
        return 0;
}

/* The array at key, or NULL for absent/null; an error for other types. */
static int get_array(Ctx *c, const Json *root, const char *key, const Json **ret) {
        const Json *v = json_get(root, key);
        if (v && v->type != JSON_ARRAY && v->type != JSON_NULL)
                return bad(c, key, "expected an array, got %s", json_type_name(v->type));
        *ret = v && v->type == JSON_ARRAY ? v : NULL;
        return 0;
}

Activation *activation_new_empty(void) {
        return xcalloc(1, sizeof(Activation));
}

int activation_parse(const char *data, size_t len, Activation **ret, char **ret_error) {
        Json *root = NULL;
        int r = json_parse(data, len, &root, ret_error);
        if (r < 0)
                return r;
        Ctx c = { 0 };
        Activation *a = activation_new_empty();
        const Json *users, *groups, *wrappers;
        if (root->type != JSON_OBJECT) {
                r = bad(&c, "activation.json", "expected an object");
                goto out;
        }
        const Json *version = json_get(root, "version");
        if (version && (version->type != JSON_INT || version->integer != 1)) {
                r = bad(&c, "version", "only version 1 is supported");
                goto out;
        }
        if ((r = get_array(&c, root, "users", &users)) < 0 || (r = get_array(&c, root, "groups", &groups)) < 0 ||
            (r = get_array(&c, root, "wrappers", &wrappers)) < 0)
                goto out;

        const Json *etc = json_get(root, "etc");
        if (etc && etc->type != JSON_OBJECT && etc->type != JSON_NULL) {
                r = bad(&c, "etc", "expected an object, got %s", json_type_name(etc->type));
                goto out;
        }
        if (etc && etc->type == JSON_OBJECT) {
                a->etc = xcalloc(etc->n, sizeof(EtcCopy));
                for (size_t i = 0; i < etc->n; i++) {
                        a->n_etc++;
                        if ((r = parse_etc(&c, etc->keys[i], etc->items[i], &a->etc[i])) < 0)
                                goto out;
                }
        }
        if ((r = get_string(&c, root, "defaultUnit", "activation.json", false, true, NULL, &a->default_unit)) < 0)
                goto out;
        if (a->default_unit && !unit_name_valid(a->default_unit)) {
                r = bad(&c, "defaultUnit", "\"%s\" is not a unit name", a->default_unit);
                goto out;
        }
        if (users) {
                a->users = xcalloc(users->n, sizeof(UserSpec));
                for (size_t i = 0; i < users->n; i++) {
                        _cleanup_free_ char *where = xasprintf("users[%zu]", i);
                        a->n_users++;
                        if ((r = parse_user(&c, users->items[i], where, &a->users[i])) < 0)
                                goto out;
                }
        }
        if (groups) {
                a->groups = xcalloc(groups->n, sizeof(GroupSpec));
                for (size_t i = 0; i < groups->n; i++) {
                        _cleanup_free_ char *where = xasprintf("groups[%zu]", i);
                        a->n_groups++;
                        if ((r = parse_group(&c, groups->items[i], where, &a->groups[i])) < 0)
                                goto out;
                }
        }
        if (wrappers) {
                a->wrappers = xcalloc(wrappers->n, sizeof(WrapperSpec));
                for (size_t i = 0; i < wrappers->n; i++) {
                        _cleanup_free_ char *where = xasprintf("wrappers[%zu]", i);
                        a->n_wrappers++;
                        if ((r = parse_wrapper(&c, wrappers->items[i], where, &a->wrappers[i])) < 0)
                                goto out;
                }
        }
        /* Names must be unique within each list. */
        for (size_t i = 0; i < a->n_users; i++)
                for (size_t j = 0; j < i; j++)
                        if (strcmp(a->users[i].name, a->users[j].name) == 0) {
                                _cleanup_free_ char *where = xasprintf("users[%zu]", i);
                                r = bad(&c, where, "user \"%s\" is declared twice", a->users[i].name);
                                goto out;
                        }
        for (size_t i = 0; i < a->n_groups; i++)
                for (size_t j = 0; j < i; j++)
                        if (strcmp(a->groups[i].name, a->groups[j].name) == 0) {
                                _cleanup_free_ char *where = xasprintf("groups[%zu]", i);
                                r = bad(&c, where, "group \"%s\" is declared twice", a->groups[i].name);
                                goto out;
                        }
        for (size_t i = 0; i < a->n_wrappers; i++)
                for (size_t j = 0; j < i; j++)
                        if (strcmp(a->wrappers[i].name, a->wrappers[j].name) == 0) {
                                _cleanup_free_ char *where = xasprintf("wrappers[%zu]", i);
                                r = bad(&c, where, "wrapper \"%s\" is declared twice", a->wrappers[i].name);
                                goto out;
                        }
        r = 0;
out:
        json_free(root);
        if (r < 0) {
                activation_free(a);
                *ret_error = c.error ? c.error : xstrdup("invalid activation file");
                return r;
        }
        *ret = a;
        return 0;
}

Activation *activation_free(Activation *a) {
        if (!a)
                return NULL;
        free(a->default_unit);
        for (size_t i = 0; i < a->n_etc; i++) {
                free(a->etc[i].target);
                free(a->etc[i].user);
                free(a->etc[i].group);
        }
        for (size_t i = 0; i < a->n_users; i++) {
                UserSpec *u = &a->users[i];
                free(u->name);
                free(u->group);
                free(u->description);
                free(u->home);
                free(u->shell);
                free(u->hashed_password);
                free(u->hashed_password_file);
                free(u->initial_hashed_password);
        }
        for (size_t i = 0; i < a->n_groups; i++) {
                free(a->groups[i].name);
                if (a->groups[i].members)
                        for (char **m = a->groups[i].members; *m; m++)
                                free(*m);
                free(a->groups[i].members);
        }
        for (size_t i = 0; i < a->n_wrappers; i++) {
                free(a->wrappers[i].name);
                free(a->wrappers[i].source);
                free(a->wrappers[i].owner);
                free(a->wrappers[i].group);
        }
        free(a->etc);
        free(a->users);
        free(a->groups);
        free(a->wrappers);
        free(a);
        return NULL;
}
