/* Derivations against vectors computed by Nix 2.8 (derivations.json,
 * passed as argv[1]): ATerm parsing and printing byte for byte, the .drv
 * path, hashDerivationModulo (masked and not), output paths; plus the
 * parser's errors, building, and the table's bounds. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test-vectors.h"
#include <jansson.h>

#include "cleanup.h"
#include "derivation.h"
#include "hash.h"
#include "store-path.h"
#include "strbuf.h"
#include "xalloc.h"


static char *mfree_(char *p) {
        free(p);
        return NULL;
}


static const char *str(json_t *o, const char *key) {
        const char *s = json_string_value(json_object_get(o, key));

        if (!s)
                fail_msg("vector lacks string \"%s\"", key);
        return s;
}

static json_t *drv_vectors(void) {
        json_t *l = json_object_get(vector_file, "derivations");

        assert_true(json_is_array(l));
        assert_true(json_array_size(l) >= 15);
        return l;
}

/* The name of a .drv path: after the hash part, without ".drv". */
static char *drv_name_of(const char *drv_path) {
        const char *base = strrchr(drv_path, '/') + 1 + STORE_PATH_HASH_CHARS + 1;

        return xstrndup(base, strlen(base) - strlen(DRV_EXTENSION));
}

static Derivation *parse_vector(json_t *v) {
        _cleanup_free_ char *name = drv_name_of(str(v, "drv_path")), *err = NULL;
        const char *text = str(v, "drv_text");
        Derivation *drv = NULL;
        int r;

        r = drv_parse(text, strlen(text), name, &drv, &err);
        if (r < 0)
                fail_msg("%s: %s", str(v, "key"), err ? err : "no message");
        return drv;
}

static char *hex(const Hash *h) {
        return hash_to_string(h, HASH_FORMAT_BASE16);
}

/* The variant fixed-output input of depends-on-fixed-variant, which is no
 * vector of its own: built here, as derivationStrict would. */
static Derivation *variant_fod(void) {
        Derivation *drv = drv_new("fixed");
        static const char hash[] = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

        drv_set_platform(drv, "x86_64-linux");
        drv_set_builder(drv, "/bin/sh");
        drv_add_arg(drv, "-c");
        drv_add_arg(drv, "printf 'hello\\n' > $out");
        drv_set_env(drv, "system", "x86_64-linux");
        drv_set_env(drv, "outputHashMode", "flat");
        drv_set_env(drv, "outputHashAlgo", "sha256");
        drv_set_env(drv, "outputHash", hash);
        drv_set_env(drv, "name", "fixed");
        drv_set_env(drv, "builder", "/bin/sh");
        drv_set_output(drv, "out", NULL, "sha256", hash);
        return drv;
}

/* Reads input derivations from the vectors (DrvReadFn). */
static int read_from_vectors(void *userdata, const char *drv_path, Derivation **ret, char **ret_error) {
        json_t *v;
        size_t i;

        json_array_foreach(drv_vectors(), i, v) if (strcmp(str(v, "drv_path"), drv_path) == 0) {
                *ret = parse_vector(v);
                return 0;
        }
        *ret_error = xstrdup("not in the vectors");
        return -ENOENT;
}

static DrvTable *vector_table(void) {
        DrvTable *t = drv_table_new(NULL, read_from_vectors, NULL);
        _cleanup_free_ char *path = NULL;
        Derivation *fod = variant_fod();

        assert_int_equal(drv_fill_outputs(fod, NULL, NULL, NULL, NULL), 0);
        assert_int_equal(drv_compute_path(fod, NULL, &path, NULL, NULL), 0);
        assert_string_equal(path, "/nix/store/c757kvbc3hd958dq02iy2irqhq6lvjhq-fixed.drv");
        drv_table_put(t, path, fod);
        return t;
}

static void test_roundtrip(void **state) {
        json_t *v;
        size_t i;

        json_array_foreach(drv_vectors(), i, v) {
                _cleanup_drv_ Derivation *drv = parse_vector(v);
                _cleanup_strbuf_ StrBuf out = STRBUF_INIT;

                drv_unparse(drv, false, NULL, 0, &out);
                assert_string_equal(out.buf, str(v, "drv_text"));
        }
}

/* The parsed fields against `nix show-derivation`. */
static void test_fields(void **state) {
        json_t *v;
        size_t i;

        json_array_foreach(drv_vectors(), i, v) {
                _cleanup_drv_ Derivation *drv = parse_vector(v);
                json_t *sd = json_object_get(v, "show_derivation_json"), *o, *x;
                const char *k;
                size_t j;

                assert_string_equal(drv->platform, str(sd, "system"));
                assert_string_equal(drv->builder, str(sd, "builder"));

                assert_int_equal(drv->n_args, json_array_size(json_object_get(sd, "args")));
                json_array_foreach(json_object_get(sd, "args"), j, x) assert_string_equal(drv->args[j],
                                                                                        json_string_value(x));

                assert_int_equal(drv->n_env, json_object_size(json_object_get(sd, "env")));
                json_object_foreach(json_object_get(sd, "env"), k, x) {
                        assert_non_null(drv_get_env(drv, k));
                        assert_string_equal(drv_get_env(drv, k), json_string_value(x));
                }

                assert_int_equal(drv->n_srcs, json_array_size(json_object_get(sd, "inputSrcs")));
                json_array_foreach(json_object_get(sd, "inputSrcs"), j, x) assert_string_equal(drv->srcs[j],
                                                                                              json_string_value(x));

                assert_int_equal(drv->n_inputs, json_object_size(json_object_get(sd, "inputDrvs")));
                j = 0;
                json_object_foreach(json_object_get(sd, "inputDrvs"), k, x) {
                        const DrvInput *in = NULL;
                        size_t m;
                        json_t *y;

                        for (size_t q = 0; q < drv->n_inputs; q++)
                                if (strcmp(drv->inputs[q].path, k) == 0)
                                        in = &drv->inputs[q];
                        assert_non_null(in);
                        assert_int_equal(in->n_outputs, json_array_size(x));
                        json_array_foreach(x, m, y) assert_string_equal(in->outputs[m], json_string_value(y));
                }

                assert_int_equal(drv->n_outputs, json_object_size(json_object_get(sd, "outputs")));
                json_object_foreach(json_object_get(sd, "outputs"), k, o) {
                        const DrvOutput *out = drv_find_output(drv, k);
                        const char *algo = json_string_value(json_object_get(o, "hashAlgo"));

                        assert_non_null(out);
                        assert_string_equal(out->path, str(o, "path"));
                        assert_string_equal(out->hash_algo, algo ? algo : "");
                        assert_string_equal(out->hash, algo ? str(o, "hash") : "");
                }
        }
}

static void test_drv_path(void **state) {
        json_t *v;
        size_t i;

        json_array_foreach(drv_vectors(), i, v) {
                _cleanup_drv_ Derivation *drv = parse_vector(v);
                _cleanup_free_ char *path = NULL, *text = NULL, *fp = NULL, *name = NULL;
                _cleanup_free_ const char **refs = NULL;
                _cleanup_free_ char *type = NULL;
                json_t *r;
                size_t j, n;
                Hash h;

                assert_int_equal(drv_compute_path(drv, NULL, &path, &text, NULL), 0);
                assert_string_equal(path, str(v, "drv_path"));
                assert_string_equal(text, str(v, "drv_text"));

                /* The fingerprint, from the references the vector lists. */
                n = json_array_size(json_object_get(v, "drv_path_references"));
                refs = xcalloc(n + 1, sizeof(*refs));
                json_array_foreach(json_object_get(v, "drv_path_references"), j, r) refs[j] = json_string_value(r);
                hash_buffer(HASH_SHA256, text, strlen(text), &h);
                type = store_path_make_type("text", refs, n, false);
                name = drv_name_of(path);
                name = xrealloc(name, strlen(name) + 5);
                strcat(name, DRV_EXTENSION);
                fp = store_path_fingerprint(type, &h, name, NULL);
                assert_string_equal(fp, str(v, "drv_path_fingerprint"));
        }
}

static void test_hash_modulo(void **state) {
        DrvTable *t = vector_table();
        json_t *v;
        size_t i;

        json_array_foreach(drv_vectors(), i, v) {
                json_t *hm = json_object_get(v, "hash_derivation_modulo");
                _cleanup_drv_ Derivation *drv = parse_vector(v);
                _cleanup_free_ char *h_hex = NULL, *err = NULL;
                DrvHash h;

                assert_int_equal(drv_table_input_hash(t, str(v, "drv_path"), &h, &err), 0);
                h_hex = hex(&h.hash);
                if (json_object_get(hm, "string_hashed")) {
                        /* Fixed output: sha256 of "fixed:out:…". */
                        Hash want;
                        const char *s = str(hm, "string_hashed");

                        assert_true(h.fixed);
                        assert_string_equal(h_hex, str(hm, "sha256_hex"));
                        hash_buffer(HASH_SHA256, s, strlen(s), &want);
                        assert_memory_equal(want.bytes, h.hash.bytes, 32);
                        continue;
                }
                assert_false(h.fixed);
                assert_string_equal(h_hex, str(hm, "sha256_hex_unmasked"));

                /* Masked: the hash the output paths come from. */
                {
                        _cleanup_free_ char *m_hex = NULL;
                        const char *masked = str(hm, "masked_aterm_hashed");
                        Hash want;
                        DrvHash m;
                        const char *k;
                        json_t *fp;

                        hash_buffer(HASH_SHA256, masked, strlen(masked), &want);
                        assert_int_equal(drv_hash_modulo(drv, true, NULL, drv_table_input_hash, t, &m, NULL), 0);
                        assert_memory_equal(want.bytes, m.hash.bytes, 32);
                        m_hex = hex(&m.hash);
                        assert_string_equal(m_hex, str(hm, "sha256_hex_masked"));

                        json_object_foreach(json_object_get(v, "output_path_fingerprints"), k, fp) {
                                _cleanup_free_ char *name = drv_output_path_name(drv->name, k), *f = NULL;
                                _cleanup_strbuf_ StrBuf type = STRBUF_INIT;

                                strbuf_addf(&type, "output:%s", k);
                                f = store_path_fingerprint(type.buf, &m.hash, name, NULL);
                                assert_string_equal(f, json_string_value(fp));
                        }
                }
        }
        drv_table_free(t);
}

/* derivationStrict's last step: from outputs without paths to the .drv. */
static void test_fill_outputs(void **state) {
        DrvTable *t = vector_table();
        json_t *v;
        size_t i;

        json_array_foreach(drv_vectors(), i, v) {
                _cleanup_drv_ Derivation *drv = parse_vector(v);
                _cleanup_free_ char *path = NULL, *err = NULL;
                _cleanup_strbuf_ StrBuf out = STRBUF_INIT;

                for (size_t k = 0; k < drv->n_outputs; k++) {
                        DrvOutput *o = &drv->outputs[k];

                        drv_set_output(drv, o->name, "", o->hash_algo, o->hash);
                        drv_set_env(drv, o->name, "garbage");
                }
                assert_int_equal(drv_fill_outputs(drv, NULL, drv_table_input_hash, t, &err), 0);
                drv_unparse(drv, false, NULL, 0, &out);
                assert_string_equal(out.buf, str(v, "drv_text"));
                assert_int_equal(drv_compute_path(drv, NULL, &path, NULL, NULL), 0);
                assert_string_equal(path, str(v, "drv_path"));
        }
        drv_table_free(t);
}

static void test_build_and_escape(void **state) {
        _cleanup_drv_ Derivation *drv = drv_new("esc");
        _cleanup_strbuf_ StrBuf out = STRBUF_INIT;
        _cleanup_drv_ Derivation *back = NULL;

        drv_set_platform(drv, "p\"l");                /* written raw */
        drv_set_builder(drv, "b\\\"\n\r\t\x01\xc3\xa9"); /* escaped */
        drv_add_arg(drv, "z");
        drv_add_arg(drv, "a");                        /* args keep their order */
        drv_set_env(drv, "b", "1");
        drv_set_env(drv, "a", "2");
        drv_set_env(drv, "b", "3");                   /* replaces */
        drv_add_src(drv, "/s/b");
        drv_add_src(drv, "/s/a");
        drv_add_src(drv, "/s/b");
        drv_add_input(drv, "/d/y.drv", "out");
        drv_add_input(drv, "/d/x.drv", "lib");
        drv_add_input(drv, "/d/x.drv", "dev");
        drv_add_input(drv, "/d/x.drv", "lib");
        drv_set_output(drv, "out", "/o", NULL, NULL);
        drv_set_output(drv, "dev", "/d", NULL, NULL);

        drv_unparse(drv, false, NULL, 0, &out);
        assert_string_equal(out.buf,
                            "Derive([(\"dev\",\"/d\",\"\",\"\"),(\"out\",\"/o\",\"\",\"\")],"
                            "[(\"/d/x.drv\",[\"dev\",\"lib\"]),(\"/d/y.drv\",[\"out\"])],[\"/s/a\",\"/s/b\"],"
                            "\"p\"l\",\"b\\\\\\\"\\n\\r\\t\x01\xc3\xa9\",[\"z\",\"a\"],"
                            "[(\"a\",\"2\"),(\"b\",\"3\")])");

        strbuf_reset(&out);
        drv_set_env(drv, "out", "/o");
        drv_unparse(drv, true, NULL, 0, &out);
        assert_non_null(strstr(out.buf, "(\"out\",\"\",\"\",\"\")"));
        assert_non_null(strstr(out.buf, "(\"out\",\"\")])"));

        /* The escapes read back (platform aside: raw '"' cannot). */
        drv_set_platform(drv, "x86_64-linux");
        strbuf_reset(&out);
        drv_unparse(drv, false, NULL, 0, &out);
        assert_int_equal(drv_parse(out.buf, out.len, "esc", &back, NULL), 0);
        assert_string_equal(back->builder, drv->builder);
        assert_string_equal(back->args[0], "z");
}

static void test_parse_errors(void **state) {
        static const struct {
                const char *text;
                int r;
                const char *msg;
        } bad[] = {
                { "", -EINVAL, "expected 'Derive(' at byte 0" },
                { "Derive([],[],[],\"s\",\"b\",[],[])x", -EINVAL, "unexpected data after the derivation at byte 30" },
                { "Derive([(\"out\",\"rel\",\"\",\"\")],[],[],\"s\",\"b\",[],[])", -EINVAL,
                  "bad path 'rel' in derivation" },
                { "Derive([],[(\"x.drv\",[])],[],\"s\",\"b\",[],[])", -EINVAL, "bad path 'x.drv' in derivation at byte 12" },
                { "Derive([],[],[\"s\"],\"s\",\"b\",[],[])", -EINVAL, "bad path 's' in derivation at byte 14" },
                { "Derive([(\"out\",\"/o\",\"foo\",\"00\")],[],[],\"s\",\"b\",[],[])", -EINVAL,
                  "unknown hash algorithm 'foo'" },
                { "Derive([(\"out\",\"/o\",\"sha256\",\"00\")],[],[],\"s\",\"b\",[],[])", -EINVAL,
                  "invalid hash '00' for output 'out'" },
                { "Derive([(\"out\",\"\",\"sha256\",\"\")],[],[],\"s\",\"b\",[],[])", -EOPNOTSUPP,
                  "experimental Nix feature 'ca-derivations' is disabled; use '--extra-experimental-features "
                  "ca-derivations' to override" },
                { "Derive([(\"out\",\"\",\"sha256\",\"impure\")],[],[],\"s\",\"b\",[],[])", -EOPNOTSUPP,
                  "experimental Nix feature 'impure-derivations' is disabled; use '--extra-experimental-features "
                  "impure-derivations' to override" },
                { "Derive([],[],[],\"s\",\"b\",[\"a\" \"b\"],[])", -EINVAL, "expected ',' or ']' at byte 28" },
                { "Derive([],[],[],\"s\",\"b\",[],[(\"k\",\"v\"", -EINVAL, "expected ')' at byte 36" },
                { "Derive([],[],[],\"s\",\"b\\", -EINVAL, "unterminated string at byte 23" },
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *err = NULL;
                Derivation *drv = NULL;

                assert_int_equal(drv_parse(bad[i].text, strlen(bad[i].text), "x", &drv, &err), bad[i].r);
                assert_null(drv);
                assert_non_null(err);
                assert_string_equal(err, bad[i].msg);
        }

        /* A NUL inside a string. */
        {
                static const char nul[] = "Derive([],[],[],\"s\",\"b\0\",[],[])";
                _cleanup_free_ char *err = NULL;
                Derivation *drv = NULL;

                assert_int_equal(drv_parse(nul, sizeof(nul) - 1, "x", &drv, &err), -EINVAL);
                assert_string_equal(err, "NUL byte in a string at byte 22");
        }
}

/* Every proper prefix of every vector fails cleanly (bounded reads). */
static void test_truncated(void **state) {
        json_t *v;
        size_t i;

        json_array_foreach(drv_vectors(), i, v) {
                const char *text = str(v, "drv_text");
                size_t len = strlen(text);

                for (size_t n = 0; n < len; n++) {
                        _cleanup_free_ char *err = NULL, *copy = xstrndup(text, n);
                        Derivation *drv = NULL;

                        /* A heap copy of exactly n bytes: ASan sees overreads. */
                        assert_int_equal(drv_parse(copy, n, "x", &drv, &err), -EINVAL);
                        assert_non_null(err);
                }
        }
}

static void test_types(void **state) {
        _cleanup_drv_ Derivation *drv = drv_new("t");
        _cleanup_free_ char *err = NULL;
        DrvType type;

        assert_int_equal(drv_type(drv, &type, &err), -EINVAL);
        assert_string_equal(err, "must have at least one output");
        err = mfree_(err);

        drv_set_output(drv, "out", "", NULL, NULL);
        assert_int_equal(drv_type(drv, &type, NULL), 0);
        assert_int_equal(type, DRV_TYPE_DEFERRED);
        drv_set_output(drv, "dev", "/d", NULL, NULL);
        assert_int_equal(drv_type(drv, &type, &err), -EINVAL);
        assert_string_equal(err, "can't mix derivation output types");
        err = mfree_(err);
        drv_set_output(drv, "out", "/o", NULL, NULL);
        assert_int_equal(drv_type(drv, &type, NULL), 0);
        assert_int_equal(type, DRV_TYPE_INPUT_ADDRESSED);

        drv_set_output(drv, "out", "/o", "sha256", "00");
        drv_set_output(drv, "dev", "/d", "sha256", "00");
        assert_int_equal(drv_type(drv, &type, &err), -EINVAL);
        assert_string_equal(err, "only one fixed output is allowed for now");
}

/* A chain of inputs deeper than DRV_MAX_DEPTH, none hashed yet, fails;
 * one within the bound hashes. */
static void test_depth(void **state) {
        DrvTable *t = drv_table_new(NULL, NULL, NULL);
        _cleanup_free_ char *err = NULL;
        DrvHash h;
        char path[64], prev[64];

        for (unsigned i = 0; i <= DRV_MAX_DEPTH + 1; i++) {
                Derivation *drv = drv_new("c");

                drv_set_platform(drv, "s");
                drv_set_builder(drv, "b");
                drv_set_output(drv, "out", "/o", NULL, NULL);
                if (i > 0)
                        drv_add_input(drv, prev, "out");
                snprintf(path, sizeof(path), "/nix/store/chain-%u.drv", i);
                drv_table_put(t, path, drv);
                memcpy(prev, path, sizeof(path));
        }
        assert_int_equal(drv_table_input_hash(t, path, &h, &err), -ELOOP);
        assert_non_null(strstr(err, "deeper than"));
        err = mfree_(err);
        assert_int_equal(drv_table_input_hash(t, "/nix/store/chain-100.drv", &h, NULL), 0);
        /* The first 101 are memoised now: the rest is within the bound. */
        assert_int_equal(drv_table_input_hash(t, path, &h, NULL), 0);
        /* Unknown inputs, without a reader. */
        assert_int_equal(drv_table_input_hash(t, "/nix/store/none.drv", &h, &err), -ENOENT);
        assert_string_equal(err, "derivation '/nix/store/none.drv' is not known");
        drv_table_free(t);
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_roundtrip),
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_drv_path),
                cmocka_unit_test(test_hash_modulo),
                cmocka_unit_test(test_fill_outputs),
                cmocka_unit_test(test_build_and_escape),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_truncated),
                cmocka_unit_test(test_types),
                cmocka_unit_test(test_depth),
        };

        return TEST_VECTORS_RUN(argc, argv, "derivations.json", tests);
}
