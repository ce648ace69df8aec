/* narinfo files, keys and signatures against what Nix 2.8 wrote
 * (narinfo.json: `nix copy --to` into three caches, the signed one with the
 * key test-cache-1), plus a file:// cache round trip through the store:
 * write, import, refuse what is unsigned, wrongly signed or corrupt. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-vectors.h"

#include "binary-cache.h"
#include "cleanup.h"
#include "fileio.h"
#include "narinfo.h"
#include "signature.h"
#include "store-add.h"
#include "store-db.h"
#include "store.h"
#include "strv.h"

#define STORE_DIR "/nix/store"

static const char *vec_str(json_t *o, const char *key) {
        json_t *v = json_object_get(o, key);
        if (!json_is_string(v))
                fail_msg("vector field '%s' missing", key);
        return json_string_value(v);
}

static json_t *cache_narinfos(const char *cache) {
        return json_object_get(json_object_get(json_object_get(vector_file, "caches"), cache), "narinfos");
}

static NarInfo *parse_ok(const char *text) {
        NarInfo *info = NULL;
        char *error = NULL;
        int r = narinfo_parse(text, strlen(text), STORE_DIR, "test", &info, &error);
        if (r < 0)
                fail_msg("narinfo_parse: %s", error);
        return info;
}

static TrustedKeys *vector_keys(void) {
        TrustedKeys *keys = trusted_keys_new();
        json_t *key = json_object_get(vector_file, "key");
        assert_int_equal(trusted_keys_add_list(keys, vec_str(key, "public_key_file"), NULL), 0);
        return keys;
}

static SecretKey *vector_secret(void) {
        SecretKey *key = NULL;
        char *error = NULL;
        if (secret_key_parse(vec_str(json_object_get(vector_file, "key"), "secret_key_file"), &key, &error) < 0)
                fail_msg("secret_key_parse: %s", error);
        return key;
}

/* ---- narinfo text ---------------------------------------------------------- */

static void test_round_trip(void **state) {
        json_t *caches = json_object_get(vector_file, "caches");
        json_t *paths = json_object_get(vector_file, "paths");
        const char *cache_name;
        json_t *cache;
        size_t n = 0;
        json_object_foreach(caches, cache_name, cache) {
                const char *name;
                json_t *v;
                json_object_foreach(json_object_get(cache, "narinfos"), name, v) {
                        const char *text = vec_str(v, "text");
                        _cleanup_(narinfo_freep) NarInfo *info = parse_ok(text);
                        assert_string_equal(info->path, vec_str(paths, name));
                        _cleanup_free_ char *out = narinfo_format(info);
                        assert_string_equal(out, text);
                        _cleanup_free_ char *fp = narinfo_fingerprint(info, STORE_DIR);
                        assert_string_equal(fp, vec_str(v, "fingerprint"));
                        assert_string_equal(info->compression,
                                            strcmp(cache_name, "unsigned-none") == 0 ? "none" : "xz");
                        n++;
                }
        }
        assert_int_equal(n, 18);
}

static void test_fields(void **state) {
        _cleanup_(narinfo_freep) NarInfo *info = parse_ok(vec_str(json_object_get(cache_narinfos("signed-xz"),
                                                                                  "with-refs"),
                                                                  "text"));
        assert_int_equal(strv_length(info->references), 3);
        assert_string_equal(info->references[1], "94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple");
        assert_string_equal(info->deriver, "rf82nv50kg0bx407qlzq45rvdv0pzcy2-input-drvs.drv");
        assert_int_equal(info->nar_size, 272);
        assert_int_equal(info->file_size, 248);
        assert_true(info->has_file_hash);
        assert_null(info->ca);
        assert_int_equal(strv_length(info->sigs), 1);
        _cleanup_free_ char *h = hash_to_string(&info->nar_hash, HASH_FORMAT_BASE32);
        assert_string_equal(h, "166ws7h51m6nwgixqci710bxc0di9ava2mvllbrb0dw2bwvmpj48");

        _cleanup_(narinfo_freep) NarInfo *ca = parse_ok(vec_str(json_object_get(cache_narinfos("signed-xz"),
                                                                                "source-ca"),
                                                                "text"));
        assert_string_equal(ca->ca, "fixed:r:sha256:0h4h110q6mibkbvjwdpsza7ydc3h0znm1qh8qkcy8cikimavj0fs");
        assert_null(ca->deriver);
}

static void test_defaults_and_extras(void **state) {
        const char *text = "StorePath: /nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple\n"
                           "URL: nar/x.nar.bz2\n"
                           "NarHash: sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw\n"
                           "NarSize: 120\n"
                           "References: \n"
                           "Deriver: unknown-deriver\n"
                           "System: x86_64-linux\n"
                           "Sig: b:BBBB\n"
                           "Sig: a:AAAA\n"
                           "Sig: b:BBBB\n"
                           "SomethingNew: ignored\n";
        _cleanup_(narinfo_freep) NarInfo *info = parse_ok(text);
        assert_string_equal(info->compression, "bzip2");
        assert_null(info->deriver);
        assert_string_equal(info->system, "x86_64-linux");
        assert_int_equal(strv_length(info->sigs), 2);
        assert_string_equal(info->sigs[0], "a:AAAA");
        assert_false(info->has_file_hash);
        _cleanup_free_ char *out = narinfo_format(info);
        assert_string_equal(out, "StorePath: /nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple\n"
                                 "URL: nar/x.nar.bz2\n"
                                 "Compression: bzip2\n"
                                 "NarHash: sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw\n"
                                 "NarSize: 120\n"
                                 "References: \n"
                                 "System: x86_64-linux\n"
                                 "Sig: a:AAAA\n"
                                 "Sig: b:BBBB\n");
        /* An SRI NarHash is read too, and written as Nix writes it. */
        const char *sri = "StorePath: /nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple\nURL: u\n"
                          "NarHash: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nNarSize: 1\n";
        _cleanup_(narinfo_freep) NarInfo *s = parse_ok(sri);
        _cleanup_free_ char *h = hash_to_string(&s->nar_hash, HASH_FORMAT_BASE16);
        assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_parse_errors(void **state) {
#define GOOD_PATH "StorePath: /nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple\n"
#define GOOD_URL "URL: nar/a.nar\n"
#define GOOD_HASH "NarHash: sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw\n"
#define GOOD_SIZE "NarSize: 120\n"
        static const struct {
                const char *text;
                const char *reason;
        } cases[] = {
                { GOOD_URL GOOD_HASH GOOD_SIZE, "no StorePath" },
                { GOOD_PATH GOOD_HASH GOOD_SIZE, "no URL" },
                { GOOD_PATH GOOD_URL GOOD_SIZE, "no NarHash" },
                { GOOD_PATH GOOD_URL GOOD_HASH, "no NarSize" },
                { GOOD_PATH GOOD_URL GOOD_HASH "NarSize: 0\n", "no NarSize" },
                { GOOD_PATH GOOD_URL GOOD_HASH "NarSize: -1\n", "bad NarSize" },
                { GOOD_PATH GOOD_URL GOOD_HASH "NarSize: 99999999999999999999999\n", "bad NarSize" },
                { GOOD_PATH GOOD_URL GOOD_HASH "NarSize: 120", "does not end in a newline" },
                { GOOD_PATH GOOD_URL "NarHash: sha256:zzzz\n" GOOD_SIZE, "bad NarHash" },
                { GOOD_PATH GOOD_URL "NarHash: md5:d41d8cd98f00b204e9800998ecf8427e\n" GOOD_SIZE,
                  "not a sha256" },
                { GOOD_PATH GOOD_URL GOOD_HASH GOOD_HASH GOOD_SIZE, "NarHash appears twice" },
                { GOOD_PATH GOOD_PATH GOOD_URL GOOD_HASH GOOD_SIZE, "StorePath appears twice" },
                { "StorePath: /tmp/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple\n" GOOD_URL GOOD_HASH GOOD_SIZE,
                  "not a store path" },
                { "StorePath: /nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-bad name\n" GOOD_URL GOOD_HASH GOOD_SIZE,
                  "not a store path" },
                { "StorePath: /nix/store/e4f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple\n" GOOD_URL GOOD_HASH GOOD_SIZE,
                  "not a store path" },
                { GOOD_PATH GOOD_URL GOOD_HASH GOOD_SIZE "References: ../etc\n", "bad reference" },
                { GOOD_PATH GOOD_URL GOOD_HASH GOOD_SIZE "References: \nReferences: \n", "References appears twice" },
                { GOOD_PATH GOOD_URL GOOD_HASH GOOD_SIZE "Deriver: x.drv\n", "bad Deriver" },
                { GOOD_PATH GOOD_URL GOOD_HASH GOOD_SIZE "CA: nonsense\n", "bad CA" },
                { GOOD_PATH GOOD_URL GOOD_HASH GOOD_SIZE "Sig: nocolon\n", "bad Sig" },
                { GOOD_PATH GOOD_URL GOOD_HASH GOOD_SIZE "garbage\n", "is not 'Key: Value'" },
                { GOOD_PATH GOOD_URL GOOD_HASH GOOD_SIZE "Key:NoSpace\n", "is not 'Key: Value'" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                NarInfo *info = NULL;
                char *error = NULL;
                int r = narinfo_parse(cases[i].text, strlen(cases[i].text), STORE_DIR, "x.narinfo", &info, &error);
                if (r != -EBADMSG || !error || !strstr(error, cases[i].reason) ||
                    strncmp(error, "NAR info file 'x.narinfo' is corrupt: ", 38) != 0)
                        fail_msg("case %zu: r=%d error=%s (wanted '%s')", i, r, error ? error : "(none)",
                                 cases[i].reason);
                assert_null(info);
                free(error);
        }
        /* A NUL byte inside. */
        static const char nul[] = GOOD_PATH "URL: a\0b\n" GOOD_HASH GOOD_SIZE;
        NarInfo *info = NULL;
        assert_int_equal(narinfo_parse(nul, sizeof(nul) - 1, STORE_DIR, "x", &info, NULL), -EBADMSG);
}

/* ---- keys and signatures ----------------------------------------------------- */

static void test_keys(void **state) {
        json_t *key = json_object_get(vector_file, "key");
        _cleanup_(secret_key_freep) SecretKey *sk = vector_secret();
        assert_string_equal(sk->name, "test-cache-1");
        _cleanup_free_ char *sk_text = secret_key_format(sk);
        assert_string_equal(sk_text, vec_str(key, "secret_key_file"));
        PublicKey pk;
        secret_key_to_public(sk, &pk);
        _cleanup_free_ char *pk_text = public_key_format(&pk);
        assert_string_equal(pk_text, vec_str(key, "public_key_file"));
        public_key_done(&pk);

        /* A trailing newline is fine; other damage is not. */
        _cleanup_free_ char *with_nl = NULL;
        assert_true(asprintf(&with_nl, "%s\n", vec_str(key, "secret_key_file")) > 0);
        SecretKey *k2 = NULL;
        assert_int_equal(secret_key_parse(with_nl, &k2, NULL), 0);
        secret_key_free(k2);
        static const char *bad[] = {
                "no-colon",
                ":ol+MFtBjm+qUiDxOrxniE2mUry1Z6kcvPDwMCy2bIwawKsreEXJtIxknMXqJ7K8kuiYv88zeDV25hW4byA963w==",
                "k:sCrK3hFybSMZJzF6ieyvJLomL/PM3g1duYVuG8gPet8=", /* a public key */
                "k:ol+MFtBjm+qUiDxOrxniE2mUry1Z6kcvPDwMCy2bIwawKsreEXJtIxknMXqJ7K8kuiYv88zeDV25hW4byA963x==",
                /* the public half changed */
                "k:ol+MFtBjm+qUiDxOrxniE2mUry1Z6kcvPDwMCy2bIwawKsreEXJtIxknMXqJ7K8kuiYv88zeDV25hW4byA963g==",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                SecretKey *k = NULL;
                char *error = NULL;
                if (secret_key_parse(bad[i], &k, &error) != -EINVAL)
                        fail_msg("secret key %zu accepted", i);
                assert_non_null(error);
                free(error);
        }
        PublicKey p;
        char *error = NULL;
        assert_int_equal(public_key_parse("k:AAAA", &p, &error), -EINVAL);
        free(error);

        /* Generated keys sign and verify, and survive their text form. */
        _cleanup_(secret_key_freep) SecretKey *g = NULL;
        assert_int_equal(secret_key_generate("gen-1", &g, NULL), 0);
        _cleanup_free_ char *g_text = secret_key_format(g);
        _cleanup_(secret_key_freep) SecretKey *g2 = NULL;
        assert_int_equal(secret_key_parse(g_text, &g2, NULL), 0);
        _cleanup_free_ char *sig = secret_key_sign(g2, "data", 4);
        PublicKey gp;
        secret_key_to_public(g, &gp);
        assert_int_equal(public_key_verify(&gp, sig, "data", 4), 1);
        assert_int_equal(public_key_verify(&gp, sig, "Data", 4), 0);
        public_key_done(&gp);
        assert_int_equal(secret_key_generate("bad name", &g2, &error), -EINVAL);
        free(error);
}

static void test_nix_signatures_verify(void **state) {
        _cleanup_(trusted_keys_freep) TrustedKeys *keys = vector_keys();
        const char *name;
        json_t *v;
        json_object_foreach(cache_narinfos("signed-xz"), name, v) {
                _cleanup_(narinfo_freep) NarInfo *info = parse_ok(vec_str(v, "text"));
                char *error = NULL;
                if (narinfo_check_sigs(info, keys, STORE_DIR, &error) != 0)
                        fail_msg("%s: %s", name, error);
        }
}

static void test_signing_matches_nix(void **state) {
        /* The unsigned narinfo signed with the vector key is, byte for byte,
         * the one Nix signed (ed25519 is deterministic). */
        _cleanup_(secret_key_freep) SecretKey *sk = vector_secret();
        const char *name;
        json_t *v;
        json_object_foreach(cache_narinfos("unsigned-xz"), name, v) {
                _cleanup_(narinfo_freep) NarInfo *info = parse_ok(vec_str(v, "text"));
                assert_int_equal(narinfo_sign(info, sk, STORE_DIR), 0);
                assert_int_equal(narinfo_sign(info, sk, STORE_DIR), 0); /* one per key name */
                _cleanup_free_ char *out = narinfo_format(info);
                assert_string_equal(out, vec_str(json_object_get(cache_narinfos("signed-xz"), name), "text"));
        }
}

static void test_unsigned_refused(void **state) {
        _cleanup_(trusted_keys_freep) TrustedKeys *keys = vector_keys();
        _cleanup_(narinfo_freep) NarInfo *info =
                parse_ok(vec_str(json_object_get(cache_narinfos("unsigned-xz"), "simple"), "text"));
        char *error = NULL;
        assert_int_equal(narinfo_check_sigs(info, keys, STORE_DIR, &error), -EKEYREJECTED);
        assert_non_null(strstr(error, "path '/nix/store/94f9f6i31zwzwbf0kclq1naqxxi4c7v9-simple' is not signed"));
        assert_non_null(strstr(error, "'test-cache-1'"));
        free(error);
}

static void test_wrong_key_refused(void **state) {
        _cleanup_(narinfo_freep) NarInfo *info =
                parse_ok(vec_str(json_object_get(cache_narinfos("signed-xz"), "with-refs"), "text"));
        /* Another key under the same name: the signature does not verify. */
        _cleanup_(secret_key_freep) SecretKey *other = NULL;
        assert_int_equal(secret_key_generate("test-cache-1", &other, NULL), 0);
        PublicKey op;
        secret_key_to_public(other, &op);
        _cleanup_free_ char *op_text = public_key_format(&op);
        public_key_done(&op);
        _cleanup_(trusted_keys_freep) TrustedKeys *same_name = trusted_keys_new();
        assert_int_equal(trusted_keys_add_list(same_name, op_text, NULL), 0);
        char *error = NULL;
        assert_int_equal(narinfo_check_sigs(info, same_name, STORE_DIR, &error), -EKEYREJECTED);
        assert_non_null(strstr(error, "invalid signature by trusted key 'test-cache-1'"));
        assert_non_null(strstr(error, info->path));
        free(error);

        /* A key of another name: the signer is not trusted. */
        _cleanup_(trusted_keys_freep) TrustedKeys *other_name = trusted_keys_new();
        assert_int_equal(trusted_keys_add_list(other_name, "someone-else:sCrK3hFybSMZJzF6ieyvJLomL/PM3g1duYVuG8gPet8=",
                                               NULL),
                         0);
        assert_int_equal(narinfo_check_sigs(info, other_name, STORE_DIR, &error), -EKEYREJECTED);
        assert_non_null(strstr(error, "not trusted ('test-cache-1')"));
        assert_non_null(strstr(error, "'someone-else'"));
        free(error);

        /* No trusted keys at all. */
        _cleanup_(trusted_keys_freep) TrustedKeys *none = trusted_keys_new();
        assert_int_equal(narinfo_check_sigs(info, none, STORE_DIR, &error), -EKEYREJECTED);
        assert_non_null(strstr(error, "trusted keys: none"));
        free(error);

        /* A later key of the same name replaces the earlier one. */
        assert_int_equal(trusted_keys_add_list(same_name, "test-cache-1:sCrK3hFybSMZJzF6ieyvJLomL/PM3g1duYVuG8gPet8=",
                                               NULL),
                         0);
        assert_int_equal(same_name->n, 1);
        assert_int_equal(narinfo_check_sigs(info, same_name, STORE_DIR, NULL), 0);
}

static void test_tampered_refused(void **state) {
        _cleanup_(trusted_keys_freep) TrustedKeys *keys = vector_keys();
        const char *text = vec_str(json_object_get(cache_narinfos("signed-xz"), "with-refs"), "text");
        /* Each signed field changed: the signature no longer verifies. */
        static const struct {
                const char *from, *to;
        } edits[] = {
                { "NarSize: 272", "NarSize: 273" },
                { "NarHash: sha256:166ws", "NarHash: sha256:066ws" },
                { "References: 8cx3xmvmvf09sbanqpns37q0n3lzhslb-multi-dev ", "References: " },
                { "-input-drvs\n", "-input-drvz\n" },
        };
        for (size_t i = 0; i < ELEMENTSOF(edits); i++) {
                const char *at = strstr(text, edits[i].from);
                assert_non_null(at);
                _cleanup_free_ char *t = NULL;
                assert_true(asprintf(&t, "%.*s%s%s", (int) (at - text), text, edits[i].to,
                                     at + strlen(edits[i].from)) > 0);
                _cleanup_(narinfo_freep) NarInfo *info = parse_ok(t);
                char *error = NULL;
                if (narinfo_check_sigs(info, keys, STORE_DIR, &error) != -EKEYREJECTED)
                        fail_msg("edit %zu accepted", i);
                assert_non_null(strstr(error, "invalid signature by trusted key 'test-cache-1'"));
                free(error);
        }
        /* A damaged signature is refused too. */
        const char *sig = strstr(text, "Sig: test-cache-1:") + 18;
        _cleanup_free_ char *t = strdup(text);
        t[sig - text] = t[sig - text] == 'A' ? 'B' : 'A';
        _cleanup_(narinfo_freep) NarInfo *info = parse_ok(t);
        assert_int_equal(narinfo_check_sigs(info, keys, STORE_DIR, NULL), -EKEYREJECTED);
}

/* ---- a file:// cache through the store -------------------------------------------- */

static char root[] = "/tmp/firn-test-narinfo-XXXXXX";

static Store *open_store(const char *name) {
        _cleanup_free_ char *dir = NULL;
        assert_true(asprintf(&dir, "%s/%s", root, name) > 0);
        Store *s = NULL;
        char *error = NULL;
        if (store_open(dir, &s, &error) < 0)
                fail_msg("store_open: %s", error);
        return s;
}

static char *add_text(Store *s, const char *name, const char *text, char **refs) {
        char *path = NULL, *error = NULL;
        if (store_add_text(s, name, text, strlen(text), refs, &path, &error) < 0)
                fail_msg("store_add_text: %s", error);
        return path;
}

static BinaryCache *open_cache(const char *name) {
        _cleanup_free_ char *url = NULL;
        assert_true(asprintf(&url, "file://%s/%s", root, name) > 0);
        BinaryCache *c = NULL;
        assert_int_equal(binary_cache_open(url, &c, NULL), 0);
        return c;
}

static void test_cache_round_trip(void **state) {
        static const char *compressions[] = { "xz", "none", "zstd", "bzip2", "gzip" };
        _cleanup_(secret_key_freep) SecretKey *sk = vector_secret();
        _cleanup_(trusted_keys_freep) TrustedKeys *keys = vector_keys();
        _cleanup_store_free_ Store *src = open_store("src");
        _cleanup_free_ char *a = add_text(src, "a.txt", "hello", NULL);
        char *ra[] = { a, NULL };
        _cleanup_free_ char *big = malloc(300000);
        for (size_t i = 0; i < 300000; i++)
                big[i] = (char) ('a' + (i * 7919) % 26);
        big[299999] = 0;
        _cleanup_free_ char *b = add_text(src, "b.txt", big, ra);
        char *rb[] = { b, NULL };

        for (size_t c = 0; c < ELEMENTSOF(compressions); c++) {
                char name[32];
                snprintf(name, sizeof(name), "cache-%s", compressions[c]);
                BinaryCache *cache = open_cache(name);
                CacheWriteOptions opts = { .compression = compressions[c], .sign_key = sk };
                char **copied = NULL, *error = NULL;
                if (binary_cache_copy_closure_to(cache, src, rb, &opts, &copied, &error) < 0)
                        fail_msg("copy to %s: %s", name, error);
                assert_int_equal(strv_length(copied), 2);
                assert_string_equal(copied[0], a); /* references first */
                strv_free(copied);
                /* Again: nothing left to copy. */
                assert_int_equal(binary_cache_copy_closure_to(cache, src, rb, &opts, &copied, NULL), 0);
                assert_null(copied);
                assert_int_equal(binary_cache_has(cache, STORE_DIR, b, NULL), 1);

                snprintf(name, sizeof(name), "dst-%s", compressions[c]);
                _cleanup_store_free_ Store *dst = open_store(name);
                if (store_import_from_cache(dst, cache, b, keys, &error) < 0)
                        fail_msg("import from %s: %s", compressions[c], error);
                assert_int_equal(store_is_valid(dst, a), 1);
                assert_int_equal(store_is_valid(dst, b), 1);
                _cleanup_path_info_free_ PathInfo *si = NULL, *di = NULL;
                assert_int_equal(store_query_path_info(src, b, &si), 0);
                assert_int_equal(store_query_path_info(dst, b, &di), 0);
                assert_memory_equal(si->nar_hash.bytes, di->nar_hash.bytes, 32);
                assert_string_equal(di->references[0], a);
                assert_non_null(di->sigs);
                assert_string_equal(di->ca, si->ca);
                /* Importing what is valid is a no-op. */
                assert_int_equal(store_import_from_cache(dst, cache, b, keys, NULL), 0);
                binary_cache_free(cache);
        }
}

static void test_cache_refusals(void **state) {
        _cleanup_(trusted_keys_freep) TrustedKeys *keys = vector_keys();
        _cleanup_store_free_ Store *src = open_store("src2");
        _cleanup_free_ char *a = add_text(src, "a.txt", "refusals", NULL);
        char *ra[] = { a, NULL };
        _cleanup_free_ char *b = add_text(src, "b.txt", a, ra);
        char *rb[] = { b, NULL };
        BinaryCache *cache = open_cache("unsigned");
        CacheWriteOptions opts = { .compression = "none" };
        assert_int_equal(binary_cache_copy_closure_to(cache, src, rb, &opts, NULL, NULL), 0);

        /* Unsigned: refused, naming the path; nothing becomes valid. */
        _cleanup_store_free_ Store *dst = open_store("dst-refusals");
        char *error = NULL;
        assert_int_equal(store_import_from_cache(dst, cache, b, keys, &error), -EKEYREJECTED);
        assert_non_null(strstr(error, "is not signed"));
        free(error);
        assert_int_equal(store_is_valid(dst, a), 0);
        assert_int_equal(store_is_valid(dst, b), 0);

        /* A narinfo whose CA does not match the contents (NarHash still
         * right): refused when the contents are checked. */
        _cleanup_free_ char *ni_path = NULL, *ni = NULL;
        assert_true(asprintf(&ni_path, "%s/unsigned/%.32s.narinfo", root, strrchr(a, '/') + 1) > 0);
        assert_int_equal(read_file(AT_FDCWD, ni_path, 1 << 20, &ni, NULL), 0);
        char *ca = strstr(ni, "CA: text:sha256:");
        assert_non_null(ca);
        ca[16] = ca[16] == '0' ? '1' : '0';
        assert_int_equal(write_file_atomic(AT_FDCWD, ni_path, ni, strlen(ni), 0644), 0);
        assert_int_equal(store_import_from_cache(dst, cache, b, NULL, &error), -EBADMSG);
        assert_non_null(strstr(error, "content-address mismatch importing path"));
        free(error);
        assert_int_equal(store_is_valid(dst, a), 0);
        assert_int_equal(store_is_valid(dst, b), 0);
        ca[16] = ca[16] == '0' ? '1' : '0';

        /* A URL that leaves the cache. */
        char *url = strstr(ni, "URL: ");
        _cleanup_free_ char *evil = NULL;
        assert_true(asprintf(&evil, "%.*sURL: ../../etc/passwd%s", (int) (url - ni), ni, strchr(url, '\n')) > 0);
        assert_int_equal(write_file_atomic(AT_FDCWD, ni_path, evil, strlen(evil), 0644), 0);
        assert_int_equal(store_import_from_cache(dst, cache, b, NULL, &error), -EBADMSG);
        assert_non_null(strstr(error, "bad URL '../../etc/passwd'"));
        free(error);
        assert_int_equal(write_file_atomic(AT_FDCWD, ni_path, ni, strlen(ni), 0644), 0);

        /* A NAR that does not match its narinfo: refused, nothing valid. */
        _cleanup_free_ char *dir = NULL;
        assert_true(asprintf(&dir, "%s/unsigned/nar", root) > 0);
        _cleanup_strv_free_ char **nars = NULL;
        {
                DIR *d = opendir(dir);
                assert_non_null(d);
                struct dirent *e;
                while ((e = readdir(d)))
                        if (e->d_name[0] != '.')
                                nars = strv_push(nars, e->d_name);
                closedir(d);
        }
        assert_int_equal(strv_length(nars), 2);
        for (size_t i = 0; nars[i]; i++) {
                _cleanup_free_ char *p = NULL, *data = NULL;
                assert_true(asprintf(&p, "%s/%s", dir, nars[i]) > 0);
                size_t len = 0;
                assert_int_equal(read_file(AT_FDCWD, p, 1 << 20, &data, &len), 0);
                data[len - 24] ^= 1; /* inside the file contents */
                assert_int_equal(write_file_atomic(AT_FDCWD, p, data, len, 0644), 0);
        }
        assert_int_equal(store_import_from_cache(dst, cache, b, NULL, &error), -EBADMSG);
        assert_non_null(strstr(error, "NAR hash mismatch"));
        free(error);
        assert_int_equal(store_is_valid(dst, a), 0);
        assert_int_equal(store_is_valid(dst, b), 0);

        /* A path the cache does not have. */
        assert_int_equal(store_import_from_cache(dst, cache, "/nix/store/00000000000000000000000000000000-x", NULL,
                                                 &error),
                         -ENOENT);
        assert_non_null(strstr(error, "not available in binary cache"));
        free(error);
        binary_cache_free(cache);

        /* Not a cache at all. */
        BinaryCache *none = open_cache("does-not-exist");
        assert_int_equal(store_import_from_cache(dst, none, b, NULL, &error), -ENOENT);
        assert_non_null(strstr(error, "does not appear to be a binary cache"));
        free(error);
        binary_cache_free(none);

        /* Bad URLs. */
        BinaryCache *bad = NULL;
        assert_int_equal(binary_cache_open("ftp://x", &bad, &error), -EINVAL);
        free(error);
        assert_int_equal(binary_cache_open("file://relative", &bad, &error), -EINVAL);
        free(error);
        assert_int_equal(binary_cache_open("file:///x/?compression=none&secret-key=/k", &bad, NULL), 0);
        assert_string_equal(binary_cache_url(bad), "file:///x");
        assert_string_equal(binary_cache_param(bad, "compression"), "none");
        assert_string_equal(binary_cache_param(bad, "secret-key"), "/k");
        assert_null(binary_cache_param(bad, "priority"));
        binary_cache_free(bad);
}

static int teardown(void **state) {
        rm_rf(AT_FDCWD, root, NULL);
        return 0;
}

int main(int argc, char *argv[]) {
        if (!mkdtemp(root))
                return 1;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_defaults_and_extras),
                cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_keys),
                cmocka_unit_test(test_nix_signatures_verify),
                cmocka_unit_test(test_signing_matches_nix),
                cmocka_unit_test(test_unsigned_refused),
                cmocka_unit_test(test_wrong_key_refused),
                cmocka_unit_test(test_tampered_refused),
                cmocka_unit_test(test_cache_round_trip),
                cmocka_unit_test_teardown(test_cache_refusals, teardown),
        };
        return TEST_VECTORS_RUN(argc, argv, "narinfo.json", tests);
}
