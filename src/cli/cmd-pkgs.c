/* firn pkgs: the Debian packages firn can use, from apt's index.
 *
 *   firn pkgs search REGEX   names and synopses matching REGEX
 *   firn pkgs show NAME      the candidate version and its fields
 *   firn pkgs resolve NAME…  the packages NAME… need, one "NAME VERSION" per
 *                            line in the order resolve.h chooses them
 *   firn pkgs why NAME ROOT… the dependency chain from ROOT… to NAME, with
 *                            the reason for every choice on it
 *   firn pkgs why NAME       the chain in ./firn.lock from a requested
 *                            package to NAME
 * `show` adds the dependencies as resolved and the store path of pkgs.NAME
 * (with ./firn.lock when there is one).
 *
 * The index is apt's (`apt-get update`): /var/lib/apt/lists, or
 * $FIRN_APT_LISTS. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli-eval.h"
#include "eval.h"
#include "store-hooks.h"
#include "strbuf.h"
#include "value.h"
#include "lock.h"
#include <unistd.h>
#include "commands.h"
#include "index.h"
#include "pkgs-eval.h"
#include "resolve.h"
#include "xalloc.h"

static const char usage_text[] =
        "Usage: firn pkgs search REGEX\n"
        "       firn pkgs show NAME\n"
        "       firn pkgs resolve NAME...\n"
        "       firn pkgs why NAME [ROOT...]\n"
        "The index is apt's lists ($FIRN_APT_LISTS, default /var/lib/apt/lists).\n";

static int load_index(DebIndex **ret) {
        _cleanup_free_ char *error = NULL;
        const char *dir = getenv("FIRN_APT_LISTS");
        int r = deb_index_load(dir && *dir ? dir : NULL, ret, &error);
        if (r < 0) {
                fprintf(stderr, "firn pkgs: cannot read the package index: %s\n", error ? error : strerror(-r));
                return r;
        }
        if (deb_index_n_packages(*ret) == 0) {
                fprintf(stderr, "firn pkgs: the package index is empty (run `apt-get update` first)\n");
                deb_index_free(*ret);
                *ret = NULL;
                return -ENOENT;
        }
        return 0;
}

static int pkgs_search(const char *pattern) {
        regex_t re;
        int rc = regcomp(&re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB);
        if (rc != 0) {
                char msg[256];
                regerror(rc, &re, msg, sizeof msg);
                fprintf(stderr, "firn pkgs search: invalid regular expression '%s': %s\n", pattern, msg);
                return 1;
        }
        _cleanup_(deb_index_freep) DebIndex *idx = NULL;
        if (load_index(&idx) < 0) {
                regfree(&re);
                return 1;
        }
        size_t found = 0;
        for (size_t i = 0; i < deb_index_n_names(idx); i++) {
                const DebPackage *p = deb_index_candidate_at(idx, i);
                if (regexec(&re, p->name, 0, NULL, 0) != 0 && regexec(&re, p->description.ptr, 0, NULL, 0) != 0)
                        continue;
                printf("%s %s\n  %s\n", p->name, p->version.ptr, p->description.ptr);
                found++;
        }
        regfree(&re);
        if (!found) {
                fprintf(stderr, "firn pkgs search: no package matches '%s'\n", pattern);
                return 1;
        }
        return 0;
}

static void suggest(const DebIndex *idx, const char *name) {
        _cleanup_free_ char *hint = deb_index_suggest(idx, name);
        if (hint)
                fprintf(stderr, "%c%s\n", hint[0] - 'a' + 'A', hint + 1);
}

/* What `pkgs.NAME` is: its resolved dependencies (with ./firn.lock when
 * there is one, as <firn/pkgs> reads it) and its store path, evaluated
 * with a read-only store. */
static int show_resolved(DebIndex *idx, const char *name) {
        static const char expr_fmt[] =
                "let db = builtins.__firnDebian; s = db.open null; i = db.info s \"%s\";\n"
                "in builtins.concatStringsSep \" \" (map (d: d + \" (\" + (db.info s d).version + \")\") i.depends)\n"
                "   + \"\\n\" + (import <firn/pkgs> { }).\"%s\".outPath\n";
        _cleanup_free_ char *expr = xasprintf(expr_fmt, name, name);
        EvalOptions eo = { 0 };
        eo.store = store_hooks_read_only(eo.store_dir);
        deb_eval_share_index(idx); /* parsed once for both */
        EvalState *st = cli_eval_state_new(&eo);
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
                strcpy(cwd, "/");
        Expr *e;
        Value *v = value_new();
        const char *text;
        if (eval_parse_string(st, expr, strlen(expr), POS_STRING, NULL, cwd, &e) < 0 || eval_expr(st, e, v) < 0 ||
            eval_force_string(st, v, NULL, NULL, &text) < 0) {
                StrBuf sb = STRBUF_INIT;
                eval_error_format(st, false, &sb);
                fprintf(stderr, "firn pkgs show: %s", sb.buf);
                strbuf_release(&sb);
                return 1;
        }
        const char *nl = strchr(text, '\n');
        printf("%-15s %.*s\n", "Resolved:", (int) (nl - text), text);
        printf("%-15s %s\n", "Store path:", nl + 1);
        return 0;
}

static void field(const char *label, const DebSlice *s) {
        if (s->len)
                printf("%-15s %s\n", label, s->ptr);
}

static int pkgs_show(const char *name) {
        _cleanup_(deb_index_freep) DebIndex *idx = NULL;
        if (load_index(&idx) < 0)
                return 1;
        const DebPackage *p = deb_index_lookup(idx, name);
        if (!p) {
                const DebProvider *prov;
                size_t n = deb_index_providers(idx, name, &prov);
                if (n) {
                        printf("%s is a virtual package, provided by:\n", name);
                        for (size_t i = 0; i < n; i++)
                                printf("  %s %s%s%s\n", prov[i].package->name, prov[i].package->version.ptr,
                                       prov[i].version ? " (= " : "", prov[i].version ? prov[i].version : "");
                        return 0;
                }
                fprintf(stderr, "firn pkgs show: there is no package '%s' in the index\n", name);
                suggest(idx, name);
                return 1;
        }
        printf("%-15s %s\n", "Package:", p->name);
        field("Version:", &p->version);
        printf("%-15s %s\n", "Architecture:", p->architecture);
        printf("%-15s %s\n", "Suite:", p->suite);
        if (p->essential)
                printf("%-15s yes\n", "Essential:");
        if (*p->priority)
                printf("%-15s %s\n", "Priority:", p->priority);
        if (*p->section)
                printf("%-15s %s\n", "Section:", p->section);
        printf("%-15s %llu\n", "Size:", (unsigned long long) p->size);
        printf("%-15s %llu KiB\n", "Installed-Size:", (unsigned long long) p->installed_size);
        field("Filename:", &p->filename);
        field("SHA256:", &p->sha256);
        field("Source:", &p->source);
        field("Pre-Depends:", &p->pre_depends);
        field("Depends:", &p->depends);
        field("Recommends:", &p->recommends);
        field("Provides:", &p->provides);
        field("Conflicts:", &p->conflicts);
        field("Breaks:", &p->breaks);
        field("Description:", &p->description);
        for (const DebPackage *o = deb_index_first(idx, name); o; o = o->next)
                if (o != p)
                        printf("%-15s %s (%s)\n", "Also:", o->version.ptr, o->suite);
        return show_resolved(idx, name);
}

/* Resolves roots into a new resolver; prints the error and returns NULL
 * on failure. */
static DebResolver *resolve_roots(const DebIndex *idx, char **roots, int n) {
        _cleanup_deb_resolver_ DebResolver *r = deb_resolver_new(idx);
        _cleanup_free_ char *error = NULL;
        if (deb_resolver_add_all(r, roots, (size_t) n, &error) < 0) {
                fprintf(stderr, "firn pkgs: %s\n", error);
                return NULL;
        }
        return TAKE_PTR(r);
}

static int pkgs_resolve(char **roots, int n) {
        _cleanup_(deb_index_freep) DebIndex *idx = NULL;
        if (load_index(&idx) < 0)
                return 1;
        _cleanup_deb_resolver_ DebResolver *r = resolve_roots(idx, roots, n);
        if (!r)
                return 1;
        for (size_t i = 0; i < deb_resolver_n_choices(r); i++) {
                const DebChoice *c = deb_resolver_choice(r, i);
                printf("%s %s\n", c->name, c->version);
        }
        return 0;
}

/* why NAME without roots: the shortest chain in ./firn.lock from a
 * requested package to NAME. */
static int pkgs_why_locked(const char *name) {
        _cleanup_free_ char *error = NULL;
        _cleanup_deb_lock_ DebLock *lock = NULL;
        if (deb_lock_read("firn.lock", &lock, &error) < 0) {
                fprintf(stderr, "firn pkgs why: %s (name the roots: firn pkgs why NAME ROOT...)\n", error);
                return 1;
        }
        size_t n = lock->n_entries;
        if (!deb_lock_find(lock, name)) {
                fprintf(stderr, "firn pkgs why: firn.lock has no package '%s'\n", name);
                return 1;
        }
        /* Breadth first from every requested package; parent[i] = index. */
        size_t *parent = xcalloc(n, sizeof(size_t)), *queue = xcalloc(n, sizeof(size_t)), head = 0, tail = 0;
        bool *seen = xcalloc(n, sizeof(bool));
        for (size_t i = 0; i < n; i++)
                if (lock->entries[i]->requested) {
                        seen[i] = true;
                        parent[i] = SIZE_MAX;
                        queue[tail++] = i;
                }
        size_t found = SIZE_MAX;
        while (head < tail && found == SIZE_MAX) {
                size_t i = queue[head++];
                if (strcmp(lock->entries[i]->name, name) == 0) {
                        found = i;
                        break;
                }
                for (char **d = lock->entries[i]->depends; *d; d++) {
                        size_t lo = 0, hi = n;
                        while (lo < hi) {
                                size_t mid = (lo + hi) / 2;
                                if (strcmp(lock->entries[mid]->name, *d) < 0)
                                        lo = mid + 1;
                                else
                                        hi = mid;
                        }
                        if (lo < n && !seen[lo]) {
                                seen[lo] = true;
                                parent[lo] = i;
                                queue[tail++] = lo;
                        }
                }
        }
        int rc = 0;
        if (found == SIZE_MAX) {
                fprintf(stderr, "firn pkgs why: nothing requested in firn.lock pulls in '%s'\n", name);
                rc = 1;
        } else {
                size_t chain[4096], depth = 0;
                for (size_t i = found; i != SIZE_MAX && depth < 4096; i = parent[i])
                        chain[depth++] = i;
                for (size_t k = depth; k-- > 0;)
                        printf("%*s%s %s%s\n", (int) (2 * (depth - 1 - k)), "", lock->entries[chain[k]]->name,
                               lock->entries[chain[k]]->version, k == depth - 1 ? "  (requested)" : "");
        }
        free(parent);
        free(queue);
        free(seen);
        return rc;
}

static int pkgs_why(const char *name, char **roots, int n) {
        _cleanup_(deb_index_freep) DebIndex *idx = NULL;
        if (load_index(&idx) < 0)
                return 1;
        _cleanup_deb_resolver_ DebResolver *r = resolve_roots(idx, roots, n);
        if (!r)
                return 1;
        const DebChoice *c = deb_resolver_find(r, name);
        if (!c) {
                fprintf(stderr, "firn pkgs why: nothing pulls in '%s'\n", name);
                return 1;
        }
        /* Root first: collect the chain, print it backwards. */
        size_t depth = 0;
        for (const DebChoice *p = c; p; p = p->parent)
                depth++;
        const DebChoice **chain = xcalloc(depth, sizeof(*chain));
        size_t i = depth;
        for (const DebChoice *p = c; p; p = p->parent)
                chain[--i] = p;
        for (i = 0; i < depth; i++)
                printf("%*s%s %s  (%s)\n", (int) (2 * i), "", chain[i]->name, chain[i]->version, chain[i]->reason);
        free(chain);
        return 0;
}

int cmd_pkgs(int argc, char **argv) {
        if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                fputs(usage_text, stdout);
                return 0;
        }
        if (argc >= 3 && strcmp(argv[1], "resolve") == 0)
                return pkgs_resolve(argv + 2, argc - 2);
        if (argc >= 4 && strcmp(argv[1], "why") == 0)
                return pkgs_why(argv[2], argv + 3, argc - 3);
        if (argc == 3 && strcmp(argv[1], "why") == 0)
                return pkgs_why_locked(argv[2]);
        if (argc != 3) {
                fputs(usage_text, stderr);
                return 1;
        }
        if (strcmp(argv[1], "search") == 0)
                return pkgs_search(argv[2]);
        if (strcmp(argv[1], "show") == 0)
                return pkgs_show(argv[2]);
        fprintf(stderr, "firn pkgs: unknown subcommand '%s'\n", argv[1]);
        fputs(usage_text, stderr);
        return 1;
}
