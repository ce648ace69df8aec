/* The cached list of package names (see index-names.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fileio.h"
#include "index-names.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

#define CACHE_MAGIC "firn-apt-names 1\n"
#define CACHE_MAX ((size_t) 64 << 20)

static char *cache_path(void) {
        const char *dir = getenv("FIRN_CACHE_DIR");
        if (dir && *dir)
                return xasprintf("%s/apt-names", dir);
        dir = getenv("XDG_CACHE_HOME");
        if (dir && *dir)
                return xasprintf("%s/firn/apt-names", dir);
        dir = getenv("HOME");
        if (dir && *dir)
                return xasprintf("%s/.cache/firn/apt-names", dir);
        return NULL;
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* "LISTS_DIR\nNAME SIZE MTIME_NS\n…\n": what the index would be made from. */
static int signature(const char *lists_dir, StrBuf *sig) {
        DIR *d = opendir(lists_dir);
        if (!d)
                return -errno;
        char **names = NULL;
        struct dirent *de;
        while ((de = readdir(d)))
                if (deb_index_list_name(de->d_name, NULL, NULL))
                        names = strv_push(names, de->d_name);
        size_t n = strv_length(names);
        if (n)
                qsort(names, n, sizeof(char *), cmp_names);
        strbuf_addf(sig, "%s\n", lists_dir);
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                if (fstatat(dirfd(d), names[i], &st, 0) < 0)
                        continue;
                strbuf_addf(sig, "%s %lld %lld.%09ld\n", names[i], (long long) st.st_size, (long long) st.st_mtim.tv_sec,
                            st.st_mtim.tv_nsec);
        }
        strbuf_addc(sig, '\n');
        strv_free(names);
        closedir(d);
        return 0;
}

/* The names from the cache file when its signature is sig; else -ESTALE. */
static int read_cache(const char *path, const StrBuf *sig, char ***ret, size_t *ret_n) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || (size_t) st.st_size > CACHE_MAX)
                return -ESTALE;
        size_t len = (size_t) st.st_size;
        _cleanup_free_ char *buf = xmalloc(len + 1);
        if (fd_read_full(fd, buf, len) != (ssize_t) len)
                return -ESTALE;
        buf[len] = 0;
        size_t head = strlen(CACHE_MAGIC);
        if (len < head + sig->len || memcmp(buf, CACHE_MAGIC, head) != 0 || memcmp(buf + head, sig->buf, sig->len) != 0)
                return -ESTALE;
        char *p = buf + head + sig->len;
        size_t n = 0;
        for (char *q = p; *q; q++)
                n += *q == '\n';
        char **names = xmalloc((n + 1) * sizeof(char *));
        size_t i = 0;
        while (*p && i < n) {
                char *nl = strchr(p, '\n');
                if (!nl)
                        break;
                names[i++] = xstrndup(p, (size_t) (nl - p));
                p = nl + 1;
        }
        names[i] = NULL;
        *ret = names;
        *ret_n = i;
        return 0;
}

static void write_cache(const char *path, const StrBuf *sig, char *const *names, size_t n) {
        StrBuf sb = STRBUF_INIT;
        strbuf_adds(&sb, CACHE_MAGIC);
        strbuf_add(&sb, sig->buf, sig->len);
        for (size_t i = 0; i < n; i++)
                strbuf_addf(&sb, "%s\n", names[i]);
        _cleanup_free_ char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        if (slash) {
                *slash = 0;
                (void) mkdir_p(AT_FDCWD, dir, 0755);
        }
        (void) write_file_atomic(AT_FDCWD, path, sb.buf, sb.len, 0644);
        strbuf_release(&sb);
}

int deb_index_names(const char *lists_dir, DebIndex **idx_io, char ***ret, size_t *ret_n, char **ret_error) {
        if (!lists_dir)
                lists_dir = DEB_INDEX_LISTS_DIR;
        _cleanup_free_ char *path = cache_path();
        StrBuf sig = STRBUF_INIT;
        bool have_sig = signature(lists_dir, &sig) >= 0;
        if (have_sig && path && (!idx_io || !*idx_io) && read_cache(path, &sig, ret, ret_n) >= 0) {
                strbuf_release(&sig);
                return 0;
        }
        DebIndex *idx = idx_io ? *idx_io : NULL;
        if (!idx) {
                int r = deb_index_load(lists_dir, &idx, ret_error);
                if (r < 0) {
                        strbuf_release(&sig);
                        return r;
                }
        }
        size_t n = deb_index_n_names(idx);
        char **names = xmalloc((n + 1) * sizeof(char *));
        for (size_t i = 0; i < n; i++)
                names[i] = xstrdup(deb_index_candidate_at(idx, i)->name);
        names[n] = NULL;
        if (have_sig && path && n)
                write_cache(path, &sig, names, n);
        strbuf_release(&sig);
        if (idx_io)
                *idx_io = idx;
        else
                deb_index_free(idx);
        *ret = names;
        *ret_n = n;
        return 0;
}
