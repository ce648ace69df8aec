#include "store-path.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "base32.h"
#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

static bool store_name_char_ok(unsigned char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' ||
               c == '-' || c == '.' || c == '_' || c == '?' || c == '=';
}

StoreNameCheck store_name_check(const char *name, size_t *ret_bad_index) {
        size_t len;

        assert(name);

        len = strlen(name);
        if (len == 0)
                return STORE_NAME_EMPTY;
        if (len > STORE_PATH_NAME_MAX)
                return STORE_NAME_TOO_LONG;
        for (size_t i = 0; i < len; i++)
                if (!store_name_char_ok((unsigned char) name[i])) {
                        if (ret_bad_index)
                                *ret_bad_index = i;
                        return STORE_NAME_BAD_CHAR;
                }
        return STORE_NAME_VALID;
}

char *store_name_error(const char *base_name, const char *name) {
        StrBuf sb = STRBUF_INIT;
        size_t bad = 0;

        assert(base_name);
        assert(name);

        switch (store_name_check(name, &bad)) {
        case STORE_NAME_VALID:
                return NULL;
        case STORE_NAME_EMPTY:
                strbuf_addf(&sb, "store path '%s' has an empty name", base_name);
                break;
        case STORE_NAME_TOO_LONG:
                strbuf_addf(&sb, "store path '%s' has a name longer than %d characters", base_name,
                            STORE_PATH_NAME_MAX);
                break;
        case STORE_NAME_BAD_CHAR:
                /* The byte as is, even when it is half of a UTF-8 sequence. */
                strbuf_addf(&sb, "store path '%s' contains illegal character '%c'", base_name, name[bad]);
                break;
        }
        return strbuf_detach(&sb, NULL);
}

void store_hash_compress(const Hash *h, uint8_t *out, size_t size) {
        size_t n;

        assert(h);
        assert(out);
        assert(size > 0);

        n = hash_algo_size(h->algo);
        memset(out, 0, size);
        for (size_t i = 0; i < n; i++)
                out[i % size] ^= h->bytes[i];
}

char *store_path_fingerprint(const char *type, const Hash *inner, const char *name, const char *store_dir) {
        _cleanup_free_ char *hex = NULL;
        StrBuf sb = STRBUF_INIT;

        assert(type);
        assert(inner);
        assert(name);

        hex = hash_to_string(inner, HASH_FORMAT_BASE16);
        strbuf_addf(&sb, "%s:%s:%s:%s:%s", type, hash_algo_to_string(inner->algo), hex,
                    store_dir ? store_dir : STORE_DIR_DEFAULT, name);
        return strbuf_detach(&sb, NULL);
}

int store_path_make(const char *type, const Hash *inner, const char *name, const char *store_dir,
                    char **ret_path, char **ret_error) {
        _cleanup_free_ char *fp = NULL;
        char part[STORE_PATH_HASH_CHARS + 1];
        uint8_t folded[STORE_PATH_HASH_SIZE];
        StrBuf sb = STRBUF_INIT;
        Hash h;

        assert(ret_path);

        if (!store_dir)
                store_dir = STORE_DIR_DEFAULT;
        fp = store_path_fingerprint(type, inner, name, store_dir);
        hash_buffer(HASH_SHA256, fp, strlen(fp), &h);
        store_hash_compress(&h, folded, sizeof(folded));
        nix_base32_encode(folded, sizeof(folded), part);

        if (store_name_check(name, NULL) != STORE_NAME_VALID) {
                if (ret_error) {
                        _cleanup_free_ char *base = NULL;

                        strbuf_addf(&sb, "%s-%s", part, name);
                        base = strbuf_detach(&sb, NULL);
                        *ret_error = store_name_error(base, name);
                }
                return -EINVAL;
        }

        strbuf_addf(&sb, "%s/%s-%s", store_dir, part, name);
        *ret_path = strbuf_detach(&sb, NULL);
        return 0;
}

char *store_path_make_type(const char *type, const char *const *refs, size_t n_refs, bool self_ref) {
        StrBuf sb = STRBUF_INIT;

        assert(type);
        assert(refs || n_refs == 0);

        strbuf_adds(&sb, type);
        for (size_t i = 0; i < n_refs; i++) {
                strbuf_addc(&sb, ':');
                strbuf_adds(&sb, refs[i]);
        }
        if (self_ref)
                strbuf_adds(&sb, ":self");
        return strbuf_detach(&sb, NULL);
}

int store_path_make_text(const char *name, const Hash *content_hash, const char *const *refs, size_t n_refs,
                         const char *store_dir, char **ret_path, char **ret_error) {
        _cleanup_free_ char *type = NULL;

        assert(content_hash);

        if (content_hash->algo != HASH_SHA256)
                return -EINVAL;
        type = store_path_make_type("text", refs, n_refs, false);
        return store_path_make(type, content_hash, name, store_dir, ret_path, ret_error);
}

int store_path_make_fixed_output(FileIngestion method, const Hash *hash, const char *name,
                                 const char *const *refs, size_t n_refs, bool self_ref,
                                 const char *store_dir, char **ret_path, char **ret_error) {
        _cleanup_free_ char *type = NULL, *hex = NULL;
        StrBuf inner = STRBUF_INIT;
        Hash h;

        assert(hash);

        if (method == FILE_INGESTION_RECURSIVE && hash->algo == HASH_SHA256) {
                type = store_path_make_type("source", refs, n_refs, self_ref);
                return store_path_make(type, hash, name, store_dir, ret_path, ret_error);
        }

        if (n_refs > 0 || self_ref)
                return -EINVAL;
        hex = hash_to_string(hash, HASH_FORMAT_BASE16);
        strbuf_addf(&inner, "fixed:out:%s%s:%s:", method == FILE_INGESTION_RECURSIVE ? "r:" : "",
                    hash_algo_to_string(hash->algo), hex);
        hash_buffer(HASH_SHA256, inner.buf, inner.len, &h);
        strbuf_release(&inner);
        return store_path_make("output:out", &h, name, store_dir, ret_path, ret_error);
}
