/* Dependency resolution (see resolve.h for the rule). Two open-addressing
 * tables over the choices: name → choice, and provided name → the choices
 * providing it. A failed deb_resolver_add() drops its choices and rebuilds
 * both tables from the ones kept. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

/* Bounds a dependency chain printed in an error (the chain itself is as
 * long as the resolution is deep). */
#define CHAIN_PRINT_MAX 64
/* Bounds the depth of resolution (Debian's chains are a few dozen deep). */
#define RESOLVE_DEPTH_MAX 4096

typedef struct Provision {
        size_t choice;
        char *version;          /* "(= V)" of the Provides entry; NULL when unversioned */
} Provision;

typedef struct Slot {
        char *key;              /* NULL: empty */
        size_t choice;          /* names table */
        Provision *prov;        /* provides table */
        size_t n_prov;
} Slot;

typedef struct Table {
        Slot *slots;
        size_t cap;             /* power of two, or 0 */
        size_t used;
} Table;

struct DebResolver {
        const DebIndex *idx;
        DebChoice **choices;
        size_t n_choices, cap_choices;
        size_t n_pins;
        Table names, provides;
        char **preferred; /* deb_resolver_prefer()'s names */
};

static uint64_t hash_str(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 1099511628211ULL;
        return h;
}

static Slot *table_find(const Table *t, const char *key) {
        if (!t->cap)
                return NULL;
        for (size_t i = hash_str(key) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
                Slot *s = &t->slots[i];
                if (!s->key)
                        return NULL;
                if (strcmp(s->key, key) == 0)
                        return s;
        }
}

static void table_clear(Table *t) {
        for (size_t i = 0; i < t->cap; i++) {
                Slot *s = &t->slots[i];
                free(s->key);
                for (size_t k = 0; k < s->n_prov; k++)
                        free(s->prov[k].version);
                free(s->prov);
        }
        free(t->slots);
        *t = (Table) { 0 };
}

/* The slot for key, created (empty of values) when missing. */
static Slot *table_get(Table *t, const char *key) {
        Slot *s = table_find(t, key);
        if (s)
                return s;
        if ((t->used + 1) * 2 > t->cap) {
                Table bigger = { .cap = t->cap ? t->cap * 2 : 64, .used = t->used };
                bigger.slots = xcalloc(bigger.cap, sizeof(Slot));
                for (size_t i = 0; i < t->cap; i++) {
                        if (!t->slots[i].key)
                                continue;
                        size_t j = hash_str(t->slots[i].key) & (bigger.cap - 1);
                        while (bigger.slots[j].key)
                                j = (j + 1) & (bigger.cap - 1);
                        bigger.slots[j] = t->slots[i];
                }
                free(t->slots);
                *t = bigger;
        }
        size_t i = hash_str(key) & (t->cap - 1);
        while (t->slots[i].key)
                i = (i + 1) & (t->cap - 1);
        t->slots[i] = (Slot) { .key = xstrdup(key) };
        t->used++;
        return &t->slots[i];
}

DebResolver *deb_resolver_new(const DebIndex *idx) {
        DebResolver *r = xcalloc(1, sizeof(*r));
        r->idx = idx;
        return r;
}

static DebChoice *choice_free(DebChoice *c) {
        if (!c)
                return NULL;
        strv_free(c->depends);
        free(c->reason);
        free(c->provides);
        free((char *) c->name);
        free((char *) c->version);
        free(c);
        return NULL;
}

DebResolver *deb_resolver_free(DebResolver *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_choices; i++)
                choice_free(r->choices[i]);
        free(r->choices);
        table_clear(&r->names);
        table_clear(&r->provides);
        strv_free(r->preferred);
        free(r);
        return NULL;
}

void deb_resolver_prefer(DebResolver *r, const char *name) {
        if (!strv_contains(r->preferred, name))
                r->preferred = strv_push(r->preferred, name);
}

size_t deb_resolver_n_choices(const DebResolver *r) {
        return r->n_choices;
}

const DebChoice *deb_resolver_choice(const DebResolver *r, size_t i) {
        return i < r->n_choices ? r->choices[i] : NULL;
}

const DebChoice *deb_resolver_find(const DebResolver *r, const char *name) {
        Slot *s = table_find(&r->names, name);
        return s ? r->choices[s->choice] : NULL;
}

/* Records what choice i provides (a parsed Provides field). */
static void index_provides(DebResolver *r, size_t i, const DebDepends *provides) {
        for (size_t g = 0; provides && g < provides->n_groups; g++) {
                const DebDependAlt *a = &provides->groups[g].alts[0];
                Slot *s = table_get(&r->provides, a->name);
                s->prov = xrealloc(s->prov, (s->n_prov + 1) * sizeof(Provision));
                s->prov[s->n_prov++] = (Provision) { .choice = i, .version = a->version ? xstrdup(a->version) : NULL };
        }
}

static int parse_field(DebSlice field, DebDepends **ret, char **ret_error) {
        *ret = NULL;
        if (!field.len)
                return 0;
        return deb_depends_parse(field.ptr, field.len, ret, ret_error);
}

/* Adds a choice and indexes it. Provides of an index package parsed
 * without error when the index was loaded (index.h), so this cannot fail
 * for them. */
static DebChoice *choice_add(DebResolver *r, DebChoice *c, const DebDepends *provides) {
        if (r->n_choices == r->cap_choices) {
                r->cap_choices = r->cap_choices ? r->cap_choices * 2 : 64;
                r->choices = xrealloc(r->choices, (r->cap_choices) * sizeof(DebChoice *));
        }
        size_t i = r->n_choices++;
        r->choices[i] = c;
        table_get(&r->names, c->name)->choice = i;
        index_provides(r, i, provides);
        return c;
}

static void rebuild_tables(DebResolver *r) {
        table_clear(&r->names);
        table_clear(&r->provides);
        for (size_t i = 0; i < r->n_choices; i++) {
                const DebChoice *c = r->choices[i];
                table_get(&r->names, c->name)->choice = i;
                _cleanup_deb_depends_ DebDepends *prov = NULL;
                DebSlice field = c->package ? c->package->provides : deb_slice(c->provides, strlen(c->provides));
                if (parse_field(field, &prov, NULL) >= 0)
                        index_provides(r, i, prov);
        }
}

int deb_resolver_pin(DebResolver *r, const char *name, const char *version, const char *provides,
                     char **ret_error) {
        if (table_find(&r->names, name))
                return -EEXIST;
        DebVersion v;
        if (deb_version_parse(version, strlen(version), &v) < 0) {
                if (ret_error)
                        *ret_error = xasprintf("package %s: invalid version '%s'", name, version);
                return -EINVAL;
        }
        _cleanup_deb_depends_ DebDepends *prov = NULL;
        _cleanup_free_ char *error = NULL;
        if (parse_field(deb_slice(provides ? provides : "", provides ? strlen(provides) : 0), &prov, &error) < 0) {
                if (ret_error)
                        *ret_error = xasprintf("package %s: invalid Provides: %s", name, error);
                return -EINVAL;
        }
        DebChoice *c = xcalloc(1, sizeof(*c));
        c->name = xstrdup(name);
        c->version = xstrdup(version);
        c->depends = xcalloc(1, sizeof(char *));
        c->provides = xstrdup(provides ? provides : "");
        c->reason = xstrdup("pinned");
        choice_add(r, c, prov);
        r->n_pins++;
        return 0;
}

/* ---- satisfying one alternative ----------------------------------------- */

static bool arch_ok(const DebDependAlt *a) {
        return !a->arch || strcmp(a->arch, "any") == 0 || strcmp(a->arch, "native") == 0 ||
               strcmp(a->arch, DEB_INDEX_ARCH) == 0;
}

static bool version_ok(const char *version, const DebDependAlt *a) {
        return a->relation == DEB_RELATION_NONE || deb_version_satisfies(version, a->relation, a->version);
}

/* A provided version meets a only if a is unversioned or the Provides is
 * versioned and meets it. */
static bool provision_ok(const char *version, const DebDependAlt *a) {
        if (a->relation == DEB_RELATION_NONE)
                return true;
        return version && deb_version_satisfies(version, a->relation, a->version);
}

/* The chosen package satisfying a, or NULL. */
static const DebChoice *chosen_for(const DebResolver *r, const DebDependAlt *a) {
        if (!arch_ok(a))
                return NULL;
        Slot *s = table_find(&r->names, a->name);
        if (s && version_ok(r->choices[s->choice]->version, a))
                return r->choices[s->choice];
        s = table_find(&r->provides, a->name);
        const DebChoice *best = NULL;
        for (size_t k = 0; s && k < s->n_prov; k++) {
                const DebChoice *c = r->choices[s->prov[k].choice];
                if (provision_ok(s->prov[k].version, a) && (!best || strcmp(c->name, best->name) < 0))
                        best = c;
        }
        return best;
}

static int priority_rank(const char *priority) {
        static const char *const order[] = { "required", "important", "standard", "optional", "extra" };
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
                if (strcmp(priority, order[i]) == 0)
                        return (int) i;
        return 5;
}

/* The index package to choose for a (see resolve.h), or NULL with why in
 * *why (appended). */
static const DebPackage *candidate_for(const DebResolver *r, const DebDependAlt *a, StrBuf *why) {
        if (!arch_ok(a)) {
                strbuf_addf(why, "%s:%s is not an architecture firn builds", a->name, a->arch);
                return NULL;
        }
        const DebPackage *p = deb_index_lookup(r->idx, a->name);
        if (p && version_ok(p->version.ptr, a))
                return p;
        const DebProvider *prov;
        size_t n = deb_index_providers(r->idx, a->name, &prov);
        const DebPackage *best = NULL;
        for (size_t k = 0; k < n; k++) {
                const DebPackage *q = prov[k].package;
                if (!provision_ok(prov[k].version, a))
                        continue;
                if (!best || priority_rank(q->priority) < priority_rank(best->priority) ||
                    (priority_rank(q->priority) == priority_rank(best->priority) && strcmp(q->name, best->name) < 0))
                        best = q;
        }
        if (best)
                return best;
        if (p)
                strbuf_addf(why, "%s's version is %s", a->name, p->version.ptr);
        else if (n)
                strbuf_addf(why, "no provider of %s has a matching version", a->name);
        else
                strbuf_addf(why, "there is no package %s", a->name);
        return NULL;
}

/* ---- resolution ------------------------------------------------------------ */

static void group_to_string(StrBuf *sb, const DebDependGroup *g) {
        for (size_t k = 0; k < g->n_alts; k++) {
                const DebDependAlt *a = &g->alts[k];
                strbuf_addf(sb, "%s%s%s%s", k ? " | " : "", a->name, a->arch ? ":" : "", a->arch ? a->arch : "");
                if (a->relation != DEB_RELATION_NONE)
                        strbuf_addf(sb, " (%s %s)", deb_relation_to_string(a->relation), a->version);
        }
}

static void chain_to_string(StrBuf *sb, const DebChoice *c) {
        const DebChoice *path[CHAIN_PRINT_MAX];
        size_t n = 0;
        for (; c && n < CHAIN_PRINT_MAX; c = c->parent)
                path[n++] = c;
        if (c)
                strbuf_adds(sb, "… → ");
        for (size_t i = n; i-- > 0;)
                strbuf_addf(sb, "%s%s", path[i]->name, i ? " → " : "");
}

static DebChoice *choose(DebResolver *r, const DebPackage *p, const DebChoice *parent, char *reason) {
        DebChoice *c = xcalloc(1, sizeof(*c));
        c->name = xstrdup(p->name);
        c->version = xstrdup(p->version.ptr);
        c->package = p;
        c->parent = parent;
        c->reason = reason;
        _cleanup_deb_depends_ DebDepends *prov = NULL;
        (void) parse_field(p->provides, &prov, NULL);
        return choice_add(r, c, prov);
}

static const DebChoice *satisfied_by(const DebResolver *r, const DebDependGroup *grp) {
        const DebChoice *have = NULL;
        for (size_t k = 0; k < grp->n_alts && !have; k++)
                have = chosen_for(r, &grp->alts[k]);
        return have;
}

/* Chooses a package for an unsatisfied group of c's field (resolve.h's
 * rule), recording why. */
static int choose_for(DebResolver *r, DebChoice *c, const char *field_name, const DebDependGroup *grp,
                      DebChoice **ret, char **ret_error) {
        StrBuf why = STRBUF_INIT, text = STRBUF_INIT;
        const DebPackage *pick = NULL;
        size_t k;
        /* A preferred alternative that can be had goes first. */
        for (k = 0; k < grp->n_alts && !pick && r->preferred; k++)
                if (strv_contains(r->preferred, grp->alts[k].name)) {
                        StrBuf ignored = STRBUF_INIT;
                        pick = candidate_for(r, &grp->alts[k], &ignored);
                        strbuf_release(&ignored);
                }
        bool preferred = pick != NULL;
        for (k = preferred ? k : 0; k < grp->n_alts && !pick; k++) {
                if (k)
                        strbuf_adds(&why, "; ");
                pick = candidate_for(r, &grp->alts[k], &why);
        }
        group_to_string(&text, grp);
        if (!pick) {
                StrBuf msg = STRBUF_INIT;
                strbuf_addf(&msg, "unsatisfiable dependency of %s %s: %s: %s (%s)\n  needed by: ", c->name,
                            c->version, field_name, text.buf, why.buf);
                chain_to_string(&msg, c);
                *ret_error = strbuf_detach(&msg, NULL);
                strbuf_release(&why);
                strbuf_release(&text);
                return -ENOEXEC;
        }
        StrBuf reason = STRBUF_INIT;
        strbuf_addf(&reason, "%s: \"%s\" of %s: ", field_name, text.buf, c->name);
        const DebDependAlt *a = &grp->alts[k - 1];
        if (preferred)
                strbuf_addf(&reason, "preferred alternative, %s", pick->name);
        else if (strcmp(pick->name, a->name) != 0)
                strbuf_addf(&reason, "%s is virtual; provided by %s (highest priority, then first by name)", a->name,
                            pick->name);
        else if (grp->n_alts == 1)
                strbuf_addf(&reason, "the only alternative");
        else if (k == 1)
                strbuf_addf(&reason, "first alternative, %s", pick->name);
        else
                strbuf_addf(&reason, "alternative %zu, %s (before it: %s)", k, pick->name, why.buf);
        strbuf_release(&why);
        strbuf_release(&text);
        *ret = choose(r, pick, c, strbuf_detach(&reason, NULL));
        return 0;
}

/* Resolves c's Pre-Depends and Depends as apt's MarkInstall does: the
 * groups not satisfied when c is chosen are then taken in order, each one
 * (unless satisfied meanwhile) choosing a package that is resolved at once,
 * depth first. */
static int resolve_package(DebResolver *r, DebChoice *c, unsigned depth, char **ret_error) {
        if (depth > RESOLVE_DEPTH_MAX) {
                StrBuf msg = STRBUF_INIT;
                strbuf_addf(&msg, "dependency chain deeper than %d: ", RESOLVE_DEPTH_MAX);
                chain_to_string(&msg, c);
                *ret_error = strbuf_detach(&msg, NULL);
                return -ELOOP;
        }
        static const char *const field_names[] = { "Pre-Depends", "Depends" };
        DebSlice fields[] = { c->package->pre_depends, c->package->depends };
        DebDepends *parsed[2] = { NULL, NULL };
        const DebDependGroup **pending = NULL;
        const char **pending_field = NULL;
        size_t n_pending = 0;
        char **deps = xcalloc(1, sizeof(char *));
        int k = 0;
        for (size_t f = 0; f < 2 && k >= 0; f++) {
                _cleanup_free_ char *perr = NULL;
                if ((k = parse_field(fields[f], &parsed[f], &perr)) < 0) {
                        *ret_error = xasprintf("package %s %s: %s: %s", c->name, c->version, field_names[f], perr);
                        break;
                }
                for (size_t g = 0; parsed[f] && g < parsed[f]->n_groups; g++) {
                        const DebDependGroup *grp = &parsed[f]->groups[g];
                        const DebChoice *have = satisfied_by(r, grp);
                        if (have) {
                                deps = strv_push(deps, have->name);
                                continue;
                        }
                        pending = xrealloc(pending, (n_pending + 1) * sizeof(*pending));
                        pending_field = xrealloc(pending_field, (n_pending + 1) * sizeof(*pending_field));
                        pending[n_pending] = grp;
                        pending_field[n_pending++] = field_names[f];
                }
        }
        for (size_t i = 0; i < n_pending && k >= 0; i++) {
                const DebChoice *have = satisfied_by(r, pending[i]);
                if (have) {
                        deps = strv_push(deps, have->name);
                        continue;
                }
                DebChoice *n;
                if ((k = choose_for(r, c, pending_field[i], pending[i], &n, ret_error)) < 0)
                        break;
                deps = strv_push(deps, n->name);
                k = resolve_package(r, n, depth + 1, ret_error);
        }
        free(pending);
        free(pending_field);
        deb_depends_free(parsed[0]);
        deb_depends_free(parsed[1]);
        if (k < 0) {
                strv_free(deps);
                return k;
        }
        /* never itself (a package may depend on what it provides) */
        size_t w = 0;
        for (size_t i = 0; deps[i]; i++)
                if (strcmp(deps[i], c->name) == 0)
                        free(deps[i]);
                else
                        deps[w++] = deps[i];
        deps[w] = NULL;
        strv_sort_unique(deps);
        c->depends = deps;
        c->n_depends = strv_length(deps);
        return 0;
}

static void rollback(DebResolver *r, size_t mark) {
        while (r->n_choices > mark)
                choice_free(r->choices[--r->n_choices]);
        rebuild_tables(r);
}

static int not_found(const DebResolver *r, const char *name, char **ret_error) {
        const DebProvider *prov;
        size_t n = deb_index_providers(r->idx, name, &prov);
        StrBuf msg = STRBUF_INIT;
        if (n) {
                strbuf_addf(&msg, "'%s' is a virtual package; name one of its providers:", name);
                for (size_t i = 0; i < n; i++)
                        strbuf_addf(&msg, " %s", prov[i].package->name);
        } else {
                strbuf_addf(&msg, "there is no package '%s' in the index", name);
                _cleanup_free_ char *hint = deb_index_suggest(r->idx, name);
                if (hint)
                        strbuf_addf(&msg, "; %s", hint);
        }
        *ret_error = strbuf_detach(&msg, NULL);
        return -ENOENT;
}

int deb_resolver_add_all(DebResolver *r, char *const *names, size_t n, char **ret_error) {
        size_t mark = r->n_choices;
        /* apt marks every requested package before their dependencies. */
        DebChoice **roots = xcalloc(n ? n : 1, sizeof(DebChoice *));
        int k = 0;
        for (size_t i = 0; i < n && k >= 0; i++) {
                if (table_find(&r->names, names[i]))
                        continue;
                const DebPackage *p = deb_index_lookup(r->idx, names[i]);
                if (!p)
                        k = not_found(r, names[i], ret_error);
                else
                        roots[i] = choose(r, p, NULL, xstrdup("requested"));
        }
        for (size_t i = 0; i < n && k >= 0; i++)
                if (roots[i])
                        k = resolve_package(r, roots[i], 0, ret_error);
        free(roots);
        if (k < 0)
                rollback(r, mark);
        return k;
}

int deb_resolver_add(DebResolver *r, const char *name, char **ret_error) {
        char *const names[] = { (char *) name };
        return deb_resolver_add_all(r, names, 1, ret_error);
}

/* ---- suggestions ---------------------------------------------------------- */

/* Edit distance, capped: names longer than 64 bytes are never close. */
static size_t distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return SIZE_MAX;
        size_t row[65];
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t best = diag + (a[i - 1] != b[j - 1]);
                        if (row[j] + 1 < best)
                                best = row[j] + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        row[j] = best;
                        diag = up;
                }
        }
        return row[lb];
}

char *deb_index_suggest(const DebIndex *idx, const char *name) {
        enum { N_BEST = 5 };
        const char *best[N_BEST] = { 0 };
        size_t dist[N_BEST] = { SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX };
        for (size_t i = 0; i < deb_index_n_names(idx); i++) {
                const char *n = deb_index_candidate_at(idx, i)->name;
                size_t d = distance(name, n);
                if (d > 2)
                        continue;
                /* names come in byte order, so ties keep it */
                for (size_t k = 0; k < N_BEST; k++)
                        if (d < dist[k]) {
                                memmove(&best[k + 1], &best[k], sizeof(best[0]) * (N_BEST - 1 - k));
                                memmove(&dist[k + 1], &dist[k], sizeof(dist[0]) * (N_BEST - 1 - k));
                                best[k] = n;
                                dist[k] = d;
                                break;
                        }
        }
        if (!best[0])
                return NULL;
        StrBuf sb = STRBUF_INIT;
        strbuf_adds(&sb, "did you mean");
        for (size_t k = 0; k < N_BEST && best[k]; k++)
                strbuf_addf(&sb, "%s %s", k ? "," : "", best[k]);
        strbuf_addc(&sb, '?');
        return strbuf_detach(&sb, NULL);
}
