/* libFuzzer target: deb_unpack() on arbitrary bytes written as a .deb.
 * Any input must unpack or fail with a message, never crash, and nothing
 * may appear outside the output directory (its parent must hold only the
 * .deb and the output afterwards). */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "unpack.h"

static char *work;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (!work) {
                char tmpl[] = "/tmp/fuzz-deb-unpack.XXXXXX";
                work = strdup(mkdtemp(tmpl));
        }
        char deb[4096], out[4096];
        snprintf(deb, sizeof deb, "%s/in.deb", work);
        snprintf(out, sizeof out, "%s/out", work);
        int fd = open(deb, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || fd_write_all(fd, data, size) < 0)
                abort();
        close(fd);
        char *error = NULL;
        int r = deb_unpack(deb, out, &error);
        if (r < 0 && !error)
                abort(); /* every failure explains itself */
        free(error);
        DIR *d = opendir(work);
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "in.deb") &&
                    strcmp(de->d_name, "out"))
                        abort(); /* something escaped the output directory */
        closedir(d);
        (void) rm_rf(AT_FDCWD, out, NULL);
        return 0;
}
