/* builtins.__firnDebian (see pkgs-eval.h). Sessions and the index are
 * malloc'ed and live as long as the process; values handed to the
 * language are built on the GC heap each time. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gc-alloc.h"
#include "index-names.h"
#include "index.h"
#include "lock.h"
#include "path-util.h"
#include "pkgs-eval.h"
#include "resolve.h"
#include "strbuf.h"
#include "strv.h"
#include "symbol.h"
#include "value.h"
#include "xalloc.h"

#define DEFAULT_LOCK "firn.lock"

/* One strongly connected component of a session's lock graph. */
typedef struct Scc {
        char **members;         /* sorted */
        char **depends;         /* sorted names outside it */
} Scc;

typedef struct SccSlot {
        char *name;
        Scc *scc;
} SccSlot;

typedef struct Session {
        char *path;             /* the lock file (absolute) */
        bool exists;            /* whether it was read from disk */
        DebLock *lock;
        DebResolver *resolver;  /* with the lock pinned; made on first need */
        size_t n_recorded;      /* resolver choices copied to the lock */
        SccSlot *sccs;          /* open addressing by name; cap a power of two */
        size_t scc_cap, scc_used;
        Symbol *syms;           /* session_symbols() */
        size_t n_syms;
        struct Session *next;
} Session;

static int cmp_symbols(const void *a, const void *b) {
        Symbol x = *(const Symbol *) a, y = *(const Symbol *) b;
        return x < y ? -1 : x > y;
}

static int cmp_symbol_names(const void *a, const void *b) {
        return symbol_compare(*(const Symbol *) a, *(const Symbol *) b);
}

static Session *sessions;
static DebIndex *the_index;
static char *index_error;       /* why the index could not load, once */
static char **all_names;        /* the index's names, sorted */
static size_t n_all_names;
static char *lists_dir;
static bool locked;

void deb_eval_set_lists_dir(const char *dir) {
        free(lists_dir);
        lists_dir = dir && *dir ? xstrdup(dir) : NULL;
}

void deb_eval_share_index(DebIndex *idx) {
        the_index = idx;
}

void deb_eval_set_locked(bool value) {
        locked = value;
}

static int err(EvalState *st, const Pos *pos, const char *msg) {
        return eval_error(st, EVAL_ERROR_GENERIC, pos, "%s", msg);
}

static int load_index(EvalState *st, const Pos *pos) {
        if (the_index)
                return 0;
        if (index_error)
                return err(st, pos, index_error);
        char *error = NULL;
        int r = deb_index_load(lists_dir, &the_index, &error);
        if (r >= 0 && deb_index_n_packages(the_index) == 0) {
                the_index = deb_index_free(the_index);
                error = xstrdup("the package index is empty (run `apt-get update` first)");
                r = -ENOENT;
        }
        if (r < 0) {
                index_error = xasprintf("cannot read apt's package index: %s", error ? error : strerror(-r));
                free(error);
                return err(st, pos, index_error);
        }
        return 0;
}

/* ---- sessions ----------------------------------------------------------------- */

static int session_open(EvalState *st, const Pos *pos, const char *path, Session **ret) {
        _cleanup_free_ char *abs = NULL;
        if (path[0] == '/')
                abs = xstrdup(path);
        else {
                char cwd[PATH_MAX];
                if (!getcwd(cwd, sizeof cwd))
                        return eval_error(st, EVAL_ERROR_GENERIC, pos, "getcwd: %s", strerror(errno));
                abs = xasprintf("%s/%s", cwd, path);
        }
        for (Session *s = sessions; s; s = s->next)
                if (strcmp(s->path, abs) == 0) {
                        *ret = s;
                        return 0;
                }
        Session *s = xcalloc(1, sizeof(*s));
        _cleanup_free_ char *error = NULL;
        int r = deb_lock_read(abs, &s->lock, &error);
        if (r == -ENOENT) {
                s->lock = deb_lock_new();
                r = 0;
        } else if (r >= 0)
                s->exists = true;
        if (r < 0) {
                free(s);
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "cannot use the lock file: %s", error);
        }
        s->path = TAKE_PTR(abs);
        s->next = sessions;
        sessions = s;
        *ret = s;
        return 0;
}

int deb_eval_write_locks(char ***ret_written, char **ret_error) {
        char **written = NULL;
        for (Session *s = sessions; s; s = s->next) {
                if (!s->lock->changed)
                        continue;
                int r = deb_lock_write(s->lock, s->path, ret_error);
                if (r < 0) {
                        strv_free(written);
                        return r;
                }
                s->lock->changed = false;
                written = strv_push(written, s->path);
        }
        if (ret_written)
                *ret_written = written;
        else
                strv_free(written);
        return 0;
}

/* The lock entry of name, resolving it (and what it needs) into the lock
 * when missing. */
static int session_entry(EvalState *st, const Pos *pos, Session *s, const char *name, const DebLockEntry **ret) {
        const DebLockEntry *e = deb_lock_find(s->lock, name);
        if (e) {
                *ret = e;
                return 0;
        }
        if (locked)
                return eval_error(st, EVAL_ERROR_GENERIC, pos,
                                  "package '%s' is not in the lock file %s (--locked; run `firn lock` to add it)", name,
                                  s->path);
        int r = load_index(st, pos);
        if (r < 0)
                return r;
        char *error = NULL;
        if (!s->resolver) {
                s->resolver = deb_resolver_new(the_index);
                /* firn's trees merge /usr themselves (sw): usrmerge, the
                 * converter (with perl), is never wanted. */
                deb_resolver_prefer(s->resolver, "usr-is-merged");
                if ((r = deb_lock_pin_all(s->lock, s->resolver, &error)) < 0)
                        goto fail;
                s->n_recorded = deb_resolver_n_choices(s->resolver);
        }
        if ((r = deb_resolver_add(s->resolver, name, &error)) < 0)
                goto fail;
        if ((r = deb_lock_add_choices(s->lock, s->resolver, s->n_recorded, &error)) < 0)
                goto fail;
        s->n_recorded = deb_resolver_n_choices(s->resolver);
        e = deb_lock_find(s->lock, name);
        if (!e)
                return eval_error(st, EVAL_ERROR_GENERIC, pos, "package '%s': resolved but not locked", name);
        *ret = e;
        return 0;
fail:
        r = eval_error(st, EVAL_ERROR_GENERIC, pos, "%s", error ? error : strerror(-r));
        free(error);
        return r;
}

/* ---- components ----------------------------------------------------------------- */

static uint64_t hash_name(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

static SccSlot *scc_slot(Session *s, const char *name, bool create) {
        if (create && (s->scc_used + 1) * 2 > s->scc_cap) {
                size_t cap = s->scc_cap ? s->scc_cap * 2 : 256;
                SccSlot *slots = xcalloc(cap, sizeof(SccSlot));
                for (size_t i = 0; i < s->scc_cap; i++) {
                        if (!s->sccs[i].name)
                                continue;
                        size_t j = hash_name(s->sccs[i].name) & (cap - 1);
                        while (slots[j].name)
                                j = (j + 1) & (cap - 1);
                        slots[j] = s->sccs[i];
                }
                free(s->sccs);
                s->sccs = slots;
                s->scc_cap = cap;
        }
        if (!s->scc_cap)
                return NULL;
        size_t i = hash_name(name) & (s->scc_cap - 1);
        for (; s->sccs[i].name; i = (i + 1) & (s->scc_cap - 1))
                if (strcmp(s->sccs[i].name, name) == 0)
                        return &s->sccs[i];
        if (!create)
                return NULL;
        s->sccs[i].name = xstrdup(name);
        s->scc_used++;
        return &s->sccs[i];
}

/* Tarjan's algorithm, iterative, over the lock entries reachable from
 * root that have no component yet. Components found before stay valid:
 * the lock is closed under depends, so entries added later are never
 * reachable from earlier ones. */
typedef struct Node {
        const DebLockEntry *e;
        size_t index, low, next_dep;
        bool on_stack;
} Node;

typedef struct Visit {
        const char *name;       /* NULL: empty */
        size_t node;
} Visit;

typedef struct Tarjan {
        Session *s;
        Node *nodes;
        size_t n, cap;
        Visit *visit;           /* name → node index, a scratch table */
        size_t visit_cap;
        size_t *stack, n_stack;
} Tarjan;

/* The slot of name: its node, or the empty slot where it would go. */
static Visit *visit_slot(Tarjan *t, const char *name) {
        size_t i = hash_name(name) & (t->visit_cap - 1);
        for (; t->visit[i].name; i = (i + 1) & (t->visit_cap - 1))
                if (strcmp(t->visit[i].name, name) == 0)
                        break;
        return &t->visit[i];
}

/* A new node for e, pushed on the stack. */
static size_t node_new(Tarjan *t, const DebLockEntry *e) {
        Visit *v = visit_slot(t, e->name);
        v->name = e->name;
        v->node = t->n;
        if (t->n == t->cap) {
                t->cap = t->cap ? 2 * t->cap : 64;
                t->nodes = xrealloc(t->nodes, t->cap * sizeof(Node));
        }
        t->nodes[t->n] = (Node) { .e = e, .index = t->n, .low = t->n, .on_stack = true };
        t->stack[t->n_stack++] = t->n;
        return t->n++;
}

static void component_close(Tarjan *t, size_t root) {
        char **members = NULL;
        size_t first = t->n_stack;
        do
                first--;
        while (t->stack[first] != root);
        for (size_t k = first; k < t->n_stack; k++) {
                t->nodes[t->stack[k]].on_stack = false;
                members = strv_push(members, t->nodes[t->stack[k]].e->name);
        }
        strv_sort_unique(members);
        char **depends = xcalloc(1, sizeof(char *));
        for (size_t k = first; k < t->n_stack; k++)
                for (char **d = t->nodes[t->stack[k]].e->depends; *d; d++)
                        if (!strv_contains(members, *d))
                                depends = strv_push(depends, *d);
        strv_sort_unique(depends);
        Scc *c = xcalloc(1, sizeof(*c));
        c->members = members;
        c->depends = depends;
        for (char **m = members; *m; m++)
                scc_slot(t->s, *m, true)->scc = c;
        t->n_stack = first;
}

static int components_from(Session *s, const DebLockEntry *root) {
        size_t n = s->lock->n_entries;
        Tarjan t = { .s = s, .visit_cap = 1 };
        while (t.visit_cap < 2 * n + 2)
                t.visit_cap *= 2;
        t.visit = xcalloc(t.visit_cap, sizeof(Visit));
        t.stack = xcalloc(n + 1, sizeof(size_t));
        size_t *path = xcalloc(n + 1, sizeof(size_t));
        size_t depth = 0;
        path[depth++] = node_new(&t, root);
        while (depth) {
                Node *v = &t.nodes[path[depth - 1]];
                const char *dep = v->e->depends[v->next_dep];
                if (dep) {
                        v->next_dep++;
                        SccSlot *done = scc_slot(s, dep, false);
                        if (done && done->scc)
                                continue;
                        Visit *w = visit_slot(&t, dep);
                        if (!w->name) {
                                size_t wi = node_new(&t, deb_lock_find(s->lock, dep));
                                path[depth++] = wi;
                        } else if (t.nodes[w->node].on_stack) {
                                size_t wi = w->node;
                                if (t.nodes[wi].index < v->low)
                                        v->low = t.nodes[wi].index;
                        }
                        continue;
                }
                size_t vi = path[--depth];
                if (t.nodes[vi].low == t.nodes[vi].index)
                        component_close(&t, vi);
                if (depth) {
                        Node *u = &t.nodes[path[depth - 1]];
                        if (t.nodes[vi].low < u->low)
                                u->low = t.nodes[vi].low;
                }
        }
        free(path);
        free(t.stack);
        free(t.visit);
        free(t.nodes);
        return 0;
}

static const Scc *session_scc(Session *s, const DebLockEntry *e) {
        SccSlot *slot = scc_slot(s, e->name, false);
        if (!slot || !slot->scc) {
                components_from(s, e);
                slot = scc_slot(s, e->name, false);
        }
        return slot->scc;
}

/* ---- values ----------------------------------------------------------------------- */

static Value *v_string(const char *s) {
        Value *v = value_new();
        value_set_string(v, gc_strdup(s), NULL);
        return v;
}

static Value *v_list(char *const *names) {
        size_t n = strv_length(names);
        Value *v = value_new();
        value_set_list(v, n);
        for (size_t i = 0; i < n; i++)
                v->list.elems[i] = v_string(names[i]);
        return v;
}

/* A store path name: characters a store path may not hold become '_'. */
static char *store_name(const char *fmt_a, const char *b, const char *c, const char *suffix) {
        char *s = c ? xasprintf("%s_%s_%s%s", fmt_a, b, c, suffix) : xasprintf("%s-%s", fmt_a, b);
        for (char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("+-._?=", *p)))
                        *p = '_';
        return s;
}

static int get_session(EvalState *st, const Pos *pos, Value *v, Session **ret) {
        int r = eval_force(st, v, pos);
        if (r < 0)
                return r;
        if (v->type != VT_EXTERNAL || strcmp(v->external.kind, "debian-session") != 0)
                return eval_error(st, EVAL_ERROR_TYPE, pos, "expected a Debian package session, got %s",
                                  value_show_type(v));
        *ret = v->external.ptr;
        return 0;
}

static int prim_open(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        int r = eval_force(st, args[0], pos);
        if (r < 0)
                return r;
        const char *path = DEFAULT_LOCK;
        if (args[0]->type == VT_PATH)
                path = args[0]->path;
        else if (args[0]->type != VT_NULL && (r = eval_force_string_no_context(st, args[0], pos, &path)) < 0)
                return r;
        Session *s;
        if ((r = session_open(st, pos, path, &s)) < 0)
                return r;
        value_set_external(ret, "debian-session", s);
        return 0;
}

/* The index's names, from the cache when it is fresh (index-names.h). */
static int index_names(EvalState *st, const Pos *pos) {
        if (all_names)
                return 0;
        if (index_error)
                return err(st, pos, index_error);
        char *error = NULL;
        int r = deb_index_names(lists_dir, &the_index, &all_names, &n_all_names, &error);
        if (r >= 0 && n_all_names == 0) {
                all_names = strv_free(all_names);
                the_index = deb_index_free(the_index);
                error = xstrdup("the package index is empty (run `apt-get update` first)");
                r = -ENOENT;
        }
        if (r < 0) {
                index_error = xasprintf("cannot read apt's package index: %s", error ? error : strerror(-r));
                free(error);
                return err(st, pos, index_error);
        }
        return 0;
}

/* Every name, the index's and the lock's, as symbols in increasing Symbol
 * order (so attribute sets over them need no sorting): made once per
 * session (packages the lock gains later come from the index, whose names
 * are all there already). */
static int session_symbols(EvalState *st, const Pos *pos, Session *s) {
        if (s->syms)
                return 0;
        int r = index_names(st, pos);
        if (r < 0)
                return r;
        size_t ni = n_all_names, nl = s->lock->n_entries, n = 0;
        Symbol *syms = xmalloc((ni + nl + 1) * sizeof(Symbol));
        size_t i = 0, j = 0;
        while (i < ni || j < nl) {
                const char *a = i < ni ? all_names[i] : NULL;
                const char *b = j < nl ? s->lock->entries[j]->name : NULL;
                int c = !a ? 1 : !b ? -1 : strcmp(a, b);
                syms[n++] = symbol_intern_str(c <= 0 ? a : b);
                i += c <= 0;
                j += c >= 0;
        }
        qsort(syms, n, sizeof(Symbol), cmp_symbols);
        s->syms = syms;
        s->n_syms = n;
        return 0;
}

/* A string value of a symbol's text (symbols live as long as the process). */
static Value *v_symbol(Symbol sym) {
        Value *v = value_new();
        value_set_string(v, symbol_str(sym), NULL);
        return v;
}

static int prim_names(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Session *s;
        int r = get_session(st, pos, args[0], &s);
        if (r < 0 || (r = session_symbols(st, pos, s)) < 0)
                return r;
        Symbol *sorted = xmalloc((s->n_syms + 1) * sizeof(Symbol));
        memcpy(sorted, s->syms, s->n_syms * sizeof(Symbol));
        qsort(sorted, s->n_syms, sizeof(Symbol), cmp_symbol_names);
        value_set_list(ret, s->n_syms);
        for (size_t i = 0; i < s->n_syms; i++)
                ret->list.elems[i] = v_symbol(sorted[i]);
        free(sorted);
        return 0;
}

static int prim_packages(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Session *s;
        int r = get_session(st, pos, args[0], &s);
        if (r < 0 || (r = session_symbols(st, pos, s)) < 0)
                return r;
        Bindings *b = bindings_new(s->n_syms);
        for (size_t i = 0; i < s->n_syms; i++) {
                Value *app = value_new();
                value_set_app(app, args[1], v_symbol(s->syms[i]));
                bindings_push(b, s->syms[i], app, pos);
        }
        value_set_attrs(ret, b);
        return 0;
}

/* The session (args[0]), the package name (args[1]) and its entry. */
static int session_args(EvalState *st, const Pos *pos, Value **args, Session **ret_s, const char **ret_name,
                        const DebLockEntry **ret_e) {
        int r = get_session(st, pos, args[0], ret_s);
        if (r < 0 || (r = eval_force_string_no_context(st, args[1], pos, ret_name)) < 0)
                return r;
        return session_entry(st, pos, *ret_s, *ret_name, ret_e);
}

static int prim_info(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Session *s;
        const char *name;
        const DebLockEntry *e;
        int r = session_args(st, pos, args, &s, &name, &e);
        if (r < 0)
                return r;
        const Scc *c = session_scc(s, e);
        _cleanup_free_ char *sname = store_name(c->members[0], deb_lock_find(s->lock, c->members[0])->version, NULL, NULL);
        _cleanup_free_ char *dname = store_name(e->name, e->version, e->architecture, ".deb");
        Value *size = value_new();
        value_set_int(size, (int64_t) e->size);
        struct {
                const char *name;
                Value *value;
        } fields[] = {
                { "name", v_string(e->name) },
                { "version", v_string(e->version) },
                { "architecture", v_string(e->architecture) },
                { "filename", v_string(e->filename) },
                { "size", size },
                { "sha256", v_string(e->sha256) },
                { "depends", v_list(e->depends) },
                { "storeName", v_string(sname) },
                { "debStoreName", v_string(dname) },
                { "sccRoot", v_string(c->members[0]) },
                { "sccMembers", v_list(c->members) },
                { "sccDepends", v_list(c->depends) },
        };
        size_t nf = sizeof(fields) / sizeof(fields[0]);
        Bindings *b = bindings_new(nf);
        for (size_t i = 0; i < nf; i++)
                bindings_push(b, symbol_intern_str(fields[i].name), fields[i].value, pos);
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

static int prim_request(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Session *s;
        const char *name;
        const DebLockEntry *e;
        int r = session_args(st, pos, args, &s, &name, &e);
        if (r < 0)
                return r;
        deb_lock_request(s->lock, name);
        value_set_bool(ret, true);
        return 0;
}

/* ---- Conflicts and Breaks ------------------------------------------------------- */

/* Whether entry o (or what it provides) matches the relation alt. */
static bool entry_matches(const DebLockEntry *o, const DebDependAlt *alt) {
        if (alt->arch && strcmp(alt->arch, "any") != 0 && strcmp(alt->arch, DEB_INDEX_ARCH) != 0 &&
            strcmp(alt->arch, "native") != 0)
                return false;
        if (strcmp(o->name, alt->name) == 0)
                return alt->relation == DEB_RELATION_NONE || deb_version_satisfies(o->version, alt->relation, alt->version);
        if (!o->provides)
                return false;
        _cleanup_deb_depends_ DebDepends *prov = NULL;
        if (deb_depends_parse(o->provides, strlen(o->provides), &prov, NULL) < 0)
                return false;
        for (size_t g = 0; g < prov->n_groups; g++) {
                const DebDependAlt *p = &prov->groups[g].alts[0];
                if (strcmp(p->name, alt->name) != 0)
                        continue;
                if (alt->relation == DEB_RELATION_NONE)
                        return true;
                if (p->version && deb_version_satisfies(p->version, alt->relation, alt->version))
                        return true;
        }
        return false;
}

static int check_field(EvalState *st, const Pos *pos, Session *s, char **closure, const DebLockEntry *e,
                       const char *field, const char *text) {
        if (!text)
                return 0;
        _cleanup_deb_depends_ DebDepends *d = NULL;
        if (deb_depends_parse(text, strlen(text), &d, NULL) < 0)
                return 0;
        for (size_t g = 0; g < d->n_groups; g++)
                for (size_t k = 0; k < d->groups[g].n_alts; k++) {
                        const DebDependAlt *alt = &d->groups[g].alts[k];
                        for (char **o = closure; *o; o++) {
                                const DebLockEntry *other = deb_lock_find(s->lock, *o);
                                /* a package never conflicts with itself (Debian's "Conflicts: foo" in
                                 * foo, with Provides/Replaces, is the usual way to say "only one") */
                                if (other == e || !entry_matches(other, alt))
                                        continue;
                                StrBuf rel = STRBUF_INIT;
                                strbuf_adds(&rel, alt->name);
                                if (alt->relation != DEB_RELATION_NONE)
                                        strbuf_addf(&rel, " (%s %s)", deb_relation_to_string(alt->relation),
                                                    alt->version);
                                int r = eval_error(st, EVAL_ERROR_GENERIC, pos,
                                                   "packages %s %s and %s %s cannot be installed together: %s "
                                                   "%s: %s",
                                                   e->name, e->version, other->name, other->version, e->name, field,
                                                   rel.buf);
                                strbuf_release(&rel);
                                return r;
                        }
                }
        return 0;
}

static int prim_check_conflicts(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        Session *s;
        int r = get_session(st, pos, args[0], &s);
        if (r < 0 || (r = eval_force_list(st, args[1], pos)) < 0)
                return r;
        /* The closure of the named packages through the lock. */
        _cleanup_strv_free_ char **closure = NULL;
        for (size_t i = 0; i < args[1]->list.size; i++) {
                const char *name;
                const DebLockEntry *e;
                if ((r = eval_force_string_no_context(st, args[1]->list.elems[i], pos, &name)) < 0 ||
                    (r = session_entry(st, pos, s, name, &e)) < 0)
                        return r;
                closure = strv_push(closure, name);
        }
        for (size_t i = 0; closure && closure[i]; i++) {
                const DebLockEntry *e = deb_lock_find(s->lock, closure[i]);
                for (char **d = e->depends; *d; d++)
                        if (!strv_contains(closure, *d))
                                closure = strv_push(closure, *d);
        }
        for (size_t i = 0; closure && closure[i]; i++) {
                const DebLockEntry *e = deb_lock_find(s->lock, closure[i]);
                if ((r = check_field(st, pos, s, closure, e, "Conflicts", e->conflicts)) < 0 ||
                    (r = check_field(st, pos, s, closure, e, "Breaks", e->breaks)) < 0)
                        return r;
        }
        value_set_bool(ret, true);
        return 0;
}

/* ---- the table --------------------------------------------------------------------- */

static const PrimOp ops[] = {
        { .name = "open", .arity = 1, .args = { "lock" }, .fn = prim_open,
          .doc = "The package session of a lock file (null: ./firn.lock when present)." },
        { .name = "names", .arity = 1, .args = { "session" }, .fn = prim_names,
          .doc = "Every package name of the index and the lock, sorted." },
        { .name = "packages", .arity = 2, .args = { "session", "f" }, .fn = prim_packages,
          .doc = "{ NAME = f NAME; } over every package name, lazily." },
        { .name = "info", .arity = 2, .args = { "session", "name" }, .fn = prim_info,
          .doc = "A package's locked record (resolving it into the lock when missing)." },
        { .name = "request", .arity = 2, .args = { "session", "name" }, .fn = prim_request,
          .doc = "Marks a package as asked for by name in the lock." },
        { .name = "checkConflicts", .arity = 2, .args = { "session", "names" }, .fn = prim_check_conflicts,
          .doc = "true, or an error naming two packages that Conflict or Break." },
};

static Value *primop_value(const PrimOp *op) {
        Value *v = value_new();
        v->type = VT_PRIMOP;
        v->primop = op;
        return v;
}

static int prim_debian(EvalState *st, const Pos *pos, Value **args, Value *ret) {
        size_t n = sizeof(ops) / sizeof(ops[0]);
        Bindings *b = bindings_new(n);
        for (size_t i = 0; i < n; i++)
                bindings_push(b, symbol_intern_str(ops[i].name), primop_value(&ops[i]), pos);
        bindings_sort(b);
        value_set_attrs(ret, b);
        return 0;
}

const PrimOp debian_primops[] = {
        { .name = "__firnDebian", .arity = 0, .doc = "Debian packages: the native half of <firn/pkgs>.",
          .fn = prim_debian },
        { 0 },
};
