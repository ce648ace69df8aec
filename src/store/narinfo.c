#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base32.h"
#include "cleanup.h"
#include "narinfo.h"
#include "store-path.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

NarInfo *narinfo_new(void) {
        return xcalloc(1, sizeof(NarInfo));
}

NarInfo *narinfo_free(NarInfo *info) {
        if (!info)
                return NULL;
        free(info->path);
        free(info->url);
        free(info->compression);
        strv_free(info->references);
        free(info->deriver);
        free(info->system);
        strv_free(info->sigs);
        free(info->ca);
        free(info);
        return NULL;
}

bool store_base_name_valid(const char *s, size_t len) {
        if (len < STORE_PATH_HASH_CHARS + 2 || s[STORE_PATH_HASH_CHARS] != '-')
                return false;
        for (size_t i = 0; i < STORE_PATH_HASH_CHARS; i++)
                if (!nix_base32_is_char(s[i]))
                        return false;
        if (memchr(s, '\0', len))
                return false;
        _cleanup_free_ char *name = xstrndup(s + STORE_PATH_HASH_CHARS + 1, len - STORE_PATH_HASH_CHARS - 1);
        return store_name_check(name, NULL) == STORE_NAME_VALID;
}

/* Digits only, no sign, no overflow (Nix's string2Int for an unsigned). */
static bool parse_u64(const char *s, uint64_t *ret) {
        if (!*s)
                return false;
        uint64_t v = 0;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return false;
                unsigned d = (unsigned) (*s - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}

/* "text:sha256:…" or "fixed:[r:]ALGO:…" with a hash that parses. */
static bool ca_valid(const char *ca) {
        const char *h;
        if (strncmp(ca, "text:", 5) == 0)
                h = ca + 5;
        else if (strncmp(ca, "fixed:r:", 8) == 0)
                h = ca + 8;
        else if (strncmp(ca, "fixed:", 6) == 0)
                h = ca + 6;
        else
                return false;
        Hash hash;
        return strchr(h, ':') && hash_from_string(h, NULL, &hash) >= 0;
}

int narinfo_parse(const char *text, size_t len, const char *store_dir, const char *whence, NarInfo **ret,
                  char **ret_error) {
        _cleanup_narinfo_free_ NarInfo *info = narinfo_new();
        _cleanup_free_ char *problem = NULL;
        bool have_refs = false, have_nar_hash = false, have_nar_size = false, have_file_size = false;
        size_t dir_len = strlen(store_dir);

        if (len > NARINFO_MAX_SIZE)
                problem = xstrdup("it is too large");
        else if (memchr(text, '\0', len))
                problem = xstrdup("it holds a NUL byte");

#define TWICE(field) xasprintf("%s appears twice", field)
        size_t pos = 0;
        while (!problem && pos < len) {
                const char *line = text + pos;
                const char *eol = memchr(line, '\n', len - pos);
                if (!eol) {
                        problem = xstrdup("the last line does not end in a newline");
                        break;
                }
                /* "Key: Value"; the value starts two bytes after the colon
                 * (as in Nix) and may be empty ("References: "). */
                const char *colon = memchr(line, ':', (size_t) (eol - line));
                if (!colon || colon + 1 >= eol || colon[1] != ' ') {
                        problem = xasprintf("line '%.*s' is not 'Key: Value'", (int) (eol - line), line);
                        break;
                }
                _cleanup_free_ char *key = xstrndup(line, (size_t) (colon - line));
                _cleanup_free_ char *value = xstrndup(colon + 2, (size_t) (eol - colon - 2));
                pos = (size_t) (eol - text) + 1;

                if (strcmp(key, "StorePath") == 0) {
                        if (info->path)
                                problem = TWICE(key);
                        else if (strncmp(value, store_dir, dir_len) != 0 || value[dir_len] != '/' ||
                                 !store_base_name_valid(value + dir_len + 1, strlen(value + dir_len + 1)))
                                problem = xasprintf("'%s' is not a store path in %s", value, store_dir);
                        else
                                info->path = TAKE_PTR(value);
                } else if (strcmp(key, "URL") == 0) {
                        if (info->url)
                                problem = TWICE(key);
                        else if (!*value)
                                problem = xstrdup("empty URL");
                        else
                                info->url = TAKE_PTR(value);
                } else if (strcmp(key, "Compression") == 0) {
                        if (info->compression)
                                problem = TWICE(key);
                        else
                                info->compression = TAKE_PTR(value);
                } else if (strcmp(key, "FileHash") == 0) {
                        if (info->has_file_hash)
                                problem = TWICE(key);
                        else if (hash_from_string(value, NULL, &info->file_hash) < 0)
                                problem = xasprintf("bad FileHash '%s'", value);
                        else
                                info->has_file_hash = true;
                } else if (strcmp(key, "FileSize") == 0) {
                        if (have_file_size)
                                problem = TWICE(key);
                        else if (!parse_u64(value, &info->file_size))
                                problem = xasprintf("bad FileSize '%s'", value);
                        have_file_size = true;
                } else if (strcmp(key, "NarHash") == 0) {
                        if (have_nar_hash)
                                problem = TWICE(key);
                        else if (hash_from_string(value, NULL, &info->nar_hash) < 0)
                                problem = xasprintf("bad NarHash '%s'", value);
                        else if (info->nar_hash.algo != HASH_SHA256)
                                problem = xasprintf("NarHash '%s' is not a sha256 hash", value);
                        have_nar_hash = true;
                } else if (strcmp(key, "NarSize") == 0) {
                        if (have_nar_size)
                                problem = TWICE(key);
                        else if (!parse_u64(value, &info->nar_size))
                                problem = xasprintf("bad NarSize '%s'", value);
                        have_nar_size = true;
                } else if (strcmp(key, "References") == 0) {
                        if (have_refs)
                                problem = TWICE(key);
                        have_refs = true;
                        for (char *p = value; !problem && *p;) {
                                if (*p == ' ') {
                                        p++;
                                        continue;
                                }
                                char *end = strchrnul(p, ' ');
                                if (!store_base_name_valid(p, (size_t) (end - p)))
                                        problem = xasprintf("bad reference '%.*s'", (int) (end - p), p);
                                else
                                        info->references = strv_consume(info->references,
                                                                        xstrndup(p, (size_t) (end - p)));
                                p = end;
                        }
                } else if (strcmp(key, "Deriver") == 0) {
                        if (info->deriver)
                                problem = TWICE(key);
                        else if (strcmp(value, "unknown-deriver") == 0)
                                ;
                        else if (!store_base_name_valid(value, strlen(value)))
                                problem = xasprintf("bad Deriver '%s'", value);
                        else
                                info->deriver = TAKE_PTR(value);
                } else if (strcmp(key, "System") == 0) {
                        if (info->system)
                                problem = TWICE(key);
                        else
                                info->system = TAKE_PTR(value);
                } else if (strcmp(key, "Sig") == 0) {
                        if (!strchr(value, ':') || value[0] == ':' || strchr(value, ' '))
                                problem = xasprintf("bad Sig '%s'", value);
                        else
                                narinfo_add_sig(info, value);
                } else if (strcmp(key, "CA") == 0) {
                        if (info->ca)
                                problem = TWICE(key);
                        else if (!ca_valid(value))
                                problem = xasprintf("bad CA '%s'", value);
                        else
                                info->ca = TAKE_PTR(value);
                }
                /* Other keys are ignored, as Nix does. */
        }
#undef TWICE
        if (!problem) {
                if (!info->path)
                        problem = xstrdup("no StorePath");
                else if (!info->url)
                        problem = xstrdup("no URL");
                else if (!have_nar_hash)
                        problem = xstrdup("no NarHash");
                else if (info->nar_size == 0)
                        problem = xstrdup("no NarSize (or NarSize 0)");
        }
        if (problem) {
                if (ret_error)
                        *ret_error = xasprintf("NAR info file '%s' is corrupt: %s", whence, problem);
                return -EBADMSG;
        }
        if (!info->compression || !*info->compression) {
                free(info->compression);
                info->compression = xstrdup("bzip2");
        }
        strv_sort_unique(info->references);
        *ret = TAKE_PTR(info);
        return 0;
}

void narinfo_add_sig(NarInfo *info, const char *sig) {
        if (strv_contains(info->sigs, sig))
                return;
        info->sigs = strv_push(info->sigs, sig);
        strv_sort_unique(info->sigs);
}

char *narinfo_format(const NarInfo *info) {
        StrBuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "StorePath: %s\n", info->path);
        strbuf_addf(&sb, "URL: %s\n", info->url);
        strbuf_addf(&sb, "Compression: %s\n", info->compression ? info->compression : "bzip2");
        if (info->has_file_hash) {
                _cleanup_free_ char *h = hash_to_string(&info->file_hash, HASH_FORMAT_BASE32);
                strbuf_addf(&sb, "FileHash: %s:%s\n", hash_algo_to_string(info->file_hash.algo), h);
        }
        if (info->has_file_hash || info->file_size > 0)
                strbuf_addf(&sb, "FileSize: %" PRIu64 "\n", info->file_size);
        _cleanup_free_ char *nh = hash_to_string(&info->nar_hash, HASH_FORMAT_BASE32);
        strbuf_addf(&sb, "NarHash: sha256:%s\n", nh);
        strbuf_addf(&sb, "NarSize: %" PRIu64 "\n", info->nar_size);
        strbuf_adds(&sb, "References: ");
        for (size_t i = 0; info->references && info->references[i]; i++) {
                if (i > 0)
                        strbuf_addc(&sb, ' ');
                strbuf_adds(&sb, info->references[i]);
        }
        strbuf_addc(&sb, '\n');
        if (info->deriver)
                strbuf_addf(&sb, "Deriver: %s\n", info->deriver);
        if (info->system)
                strbuf_addf(&sb, "System: %s\n", info->system);
        for (size_t i = 0; info->sigs && info->sigs[i]; i++)
                strbuf_addf(&sb, "Sig: %s\n", info->sigs[i]);
        if (info->ca)
                strbuf_addf(&sb, "CA: %s\n", info->ca);
        return strbuf_detach(&sb, NULL);
}

char *path_fingerprint(const char *path, const Hash *nar_hash, uint64_t nar_size, char *const *refs) {
        StrBuf sb = STRBUF_INIT;
        _cleanup_free_ char *h = hash_to_string(nar_hash, HASH_FORMAT_BASE32);
        strbuf_addf(&sb, "1;%s;%s:%s;%" PRIu64 ";", path, hash_algo_to_string(nar_hash->algo), h, nar_size);
        for (size_t i = 0; refs && refs[i]; i++) {
                if (i > 0)
                        strbuf_addc(&sb, ',');
                strbuf_adds(&sb, refs[i]);
        }
        return strbuf_detach(&sb, NULL);
}

char *narinfo_fingerprint(const NarInfo *info, const char *store_dir) {
        _cleanup_strv_free_ char **full = NULL;
        for (size_t i = 0; info->references && info->references[i]; i++)
                full = strv_consume(full, xasprintf("%s/%s", store_dir, info->references[i]));
        strv_sort_unique(full);
        return path_fingerprint(info->path, &info->nar_hash, info->nar_size, full);
}

int narinfo_sign(NarInfo *info, const SecretKey *key, const char *store_dir) {
        _cleanup_free_ char *fp = narinfo_fingerprint(info, store_dir);
        _cleanup_free_ char *sig = secret_key_sign(key, fp, strlen(fp));
        if (!sig)
                return -EIO;
        /* One signature per key name. */
        size_t name_len = strlen(key->name);
        char **w = info->sigs;
        for (char **r = info->sigs; r && *r; r++) {
                if (strncmp(*r, key->name, name_len) == 0 && (*r)[name_len] == ':')
                        free(*r);
                else
                        *w++ = *r;
        }
        if (w)
                *w = NULL;
        narinfo_add_sig(info, sig);
        return 0;
}

/* "'a', 'b'" of the key names of keys, or "none". */
static char *key_names(const TrustedKeys *keys) {
        StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; keys && i < keys->n; i++)
                strbuf_addf(&sb, "%s'%s'", i > 0 ? ", " : "", keys->keys[i].name);
        if (sb.len == 0)
                strbuf_adds(&sb, "none");
        return strbuf_detach(&sb, NULL);
}

int narinfo_check_sigs(const NarInfo *info, const TrustedKeys *keys, const char *store_dir, char **ret_error) {
        _cleanup_free_ char *fp = narinfo_fingerprint(info, store_dir);
        const char *invalid = NULL;
        StrBuf signers = STRBUF_INIT;
        for (size_t i = 0; info->sigs && info->sigs[i]; i++) {
                const char *sig = info->sigs[i];
                switch (trusted_keys_check(keys, sig, fp, strlen(fp))) {
                case SIGNATURE_VALID:
                        strbuf_release(&signers);
                        return 0;
                case SIGNATURE_INVALID:
                        if (!invalid)
                                invalid = sig;
                        break;
                case SIGNATURE_UNTRUSTED:
                        break;
                }
                const char *colon = strchr(sig, ':');
                strbuf_addf(&signers, "%s'%.*s'", signers.len > 0 ? ", " : "", (int) (colon - sig), sig);
        }
        _cleanup_free_ char *trusted = key_names(keys);
        if (ret_error) {
                if (invalid) {
                        const char *colon = strchr(invalid, ':');
                        *ret_error = xasprintf("path '%s' has an invalid signature by trusted key '%.*s' "
                                                  "(its narinfo does not match what was signed)",
                                                  info->path, (int) (colon - invalid), invalid);
                } else if (signers.len == 0)
                        *ret_error = xasprintf("path '%s' is not signed; trusted keys: %s", info->path, trusted);
                else
                        *ret_error = xasprintf("path '%s' is signed only by keys that are not trusted (%s); trusted keys: %s",
                                                  info->path, signers.buf, trusted);
        }
        strbuf_release(&signers);
        return -EKEYREJECTED;
}
