#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path-util.h"
#include "strbuf.h"
#include "xalloc.h"

char *path_absolute(const char *p) {
        StrBuf in = STRBUF_INIT;
        if (*p != '/') {
                char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return NULL;
                strbuf_adds(&in, cwd);
                strbuf_addc(&in, '/');
                free(cwd);
        }
        strbuf_adds(&in, p);
        StrBuf out = STRBUF_INIT;
        const char *s = in.buf;
        while (*s) {
                while (*s == '/')
                        s++;
                const char *e = strchrnul(s, '/');
                size_t n = (size_t) (e - s);
                if (n == 0 || (n == 1 && s[0] == '.'))
                        ;
                else if (n == 2 && s[0] == '.' && s[1] == '.') {
                        char *slash = strrchr(out.buf, '/');
                        out.len = slash ? (size_t) (slash - out.buf) : 0;
                        out.buf[out.len] = 0;
                } else {
                        strbuf_addc(&out, '/');
                        strbuf_add(&out, s, n);
                }
                s = e;
        }
        strbuf_release(&in);
        if (out.len == 0)
                strbuf_addc(&out, '/');
        return strbuf_detach(&out, NULL);
}
