/* libFuzzer target: the deb822 paragraph parser, the package index built on
 * it and the dependency-field parser, on arbitrary bytes. Any input must
 * give paragraphs or an error with a message, never a crash; every slice
 * lies inside the input; every field value that parses as a dependency
 * field, written back as text, parses again to the same structure; an
 * index built from the input answers lookups of every name it holds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deb822.h"
#include "index.h"
#include "strbuf.h"

static bool inside(DebSlice s, const uint8_t *data, size_t size) {
        return s.ptr >= (const char *) data && s.ptr + s.len <= (const char *) data + size;
}

static void format_depends(const DebDepends *d, StrBuf *out) {
        for (size_t g = 0; g < d->n_groups; g++) {
                if (g > 0)
                        strbuf_adds(out, ", ");
                for (size_t i = 0; i < d->groups[g].n_alts; i++) {
                        const DebDependAlt *a = &d->groups[g].alts[i];
                        if (i > 0)
                                strbuf_adds(out, " | ");
                        strbuf_adds(out, a->name);
                        if (a->arch)
                                strbuf_addf(out, ":%s", a->arch);
                        if (a->relation != DEB_RELATION_NONE)
                                strbuf_addf(out, " (%s %s)", deb_relation_to_string(a->relation), a->version);
                        if (a->arch_list)
                                strbuf_addf(out, " [%s]", a->arch_list);
                        if (a->profiles)
                                strbuf_addf(out, " %s", a->profiles);
                }
        }
}

static bool str_same(const char *a, const char *b) {
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_depends(DebSlice value) {
        DebDepends *d = NULL, *again = NULL;
        char *error = NULL;
        StrBuf text = STRBUF_INIT;

        if (deb_depends_parse(value.ptr, value.len, &d, &error) < 0) {
                if (!error)
                        abort();
                free(error);
                return;
        }
        format_depends(d, &text);
        if (text.len > DEB822_VALUE_MAX) /* spaces added around relations */
                goto done;
        if (deb_depends_parse(text.buf, text.len, &again, NULL) < 0 || again->n_groups != d->n_groups)
                abort();
        for (size_t g = 0; g < d->n_groups; g++) {
                if (d->groups[g].n_alts == 0 || again->groups[g].n_alts != d->groups[g].n_alts)
                        abort();
                for (size_t i = 0; i < d->groups[g].n_alts; i++) {
                        const DebDependAlt *a = &d->groups[g].alts[i], *b = &again->groups[g].alts[i];
                        if (!a->name[0] || !str_same(a->name, b->name) || !str_same(a->arch, b->arch) ||
                            a->relation != b->relation || !str_same(a->version, b->version) ||
                            !str_same(a->arch_list, b->arch_list) || !str_same(a->profiles, b->profiles) ||
                            (a->relation == DEB_RELATION_NONE) != (a->version == NULL))
                                abort();
                }
        }
done:
        strbuf_release(&text);
        deb_depends_free(d);
        deb_depends_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static Deb822Parser parser;
        const Deb822Paragraph *para;
        char *error = NULL;
        int r;

        deb822_parser_init(&parser, (const char *) data, size, "fuzz", 1);
        while ((r = deb822_parser_next(&parser, &para, &error)) > 0) {
                if (para->n_fields == 0 || para->n_fields > DEB822_FIELDS_MAX)
                        abort();
                for (size_t i = 0; i < para->n_fields; i++) {
                        const Deb822Field *f = &para->fields[i];
                        if (f->name.len == 0 || !inside(f->name, data, size) || !inside(f->value, data, size) ||
                            memchr(f->name.ptr, ':', f->name.len) || f->value.len > DEB822_VALUE_MAX ||
                            (f->value.len > 0 && (f->value.ptr[0] == ' ' || f->value.ptr[0] == '\t')) ||
                            f->line < para->line)
                                abort();
                        check_depends(f->value);
                }
        }
        if (r < 0) {
                if (!error)
                        abort(); /* every failure names its reason */
                free(error);
                error = NULL;
        }

        DebIndex *idx = deb_index_new();
        if (!idx)
                return 0;
        r = deb_index_add_text(idx, (const char *) data, size, "fuzz", "suite", &error);
        if (r < 0) {
                if (!error)
                        abort();
                free(error);
        }
        if (deb_index_seal(idx) < 0)
                abort();
        for (size_t i = 0; i < deb_index_n_names(idx); i++) {
                const DebPackage *c = deb_index_candidate_at(idx, i);
                const DebProvider *prov;
                if (!c || deb_index_lookup(idx, c->name) != c || strlen(c->version.ptr) != c->version.len)
                        abort();
                size_t n = deb_index_providers(idx, c->name, &prov);
                for (size_t k = 0; k < n; k++)
                        if (!prov[k].package || deb_index_lookup(idx, prov[k].package->name) != prov[k].package)
                                abort();
        }
        deb_index_free(idx);
        return 0;
}
