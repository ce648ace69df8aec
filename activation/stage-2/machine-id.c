#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "machine-id.h"

bool machine_id_valid(const char *data, size_t len) {
        if (len == 33 && data[32] == '\n')
                len = 32;
        if (len != 32)
                return false;
        bool nonzero = false;
        for (size_t i = 0; i < 32; i++) {
                char c = data[i];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                        return false;
                nonzero |= c != '0';
        }
        return nonzero; /* systemd rejects the all-zero id */
}

int machine_id_activate(const Root *r, bool *ret_created) {
        *ret_created = false;
        _cleanup_close_ int etcfd = root_mkdir_p(r, "/etc", 0755);
        if (etcfd < 0)
                return log_error_errno(etcfd, "Failed to open /etc: %m");
        struct stat st;
        bool is_file = fstatat(etcfd, "machine-id", &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISREG(st.st_mode);
        char id[34];
        _cleanup_free_ char *old = NULL;
        size_t len = 0;
        /* Read through a link, too (within the root). */
        if (root_read_file(r, "/etc/machine-id", 64, &old, &len) >= 0 && machine_id_valid(old, len)) {
                if (is_file)
                        return 0;
                memcpy(id, old, 32);
        } else {
                unsigned char b[16];
                random_bytes(b, sizeof b);
                b[6] = (b[6] & 0x0F) | 0x40; /* UUID version 4 */
                b[8] = (b[8] & 0x3F) | 0x80; /* RFC 4122 variant */
                for (size_t i = 0; i < 16; i++)
                        snprintf(id + 2 * i, 3, "%02x", b[i]);
                *ret_created = true;
        }
        id[32] = '\n';
        int q = file_replace_at(etcfd, "machine-id", id, 33, 0444, 0, 0, true);
        if (q < 0) {
                *ret_created = false;
                return log_error_errno(q, "Failed to write /etc/machine-id: %m");
        }
        return 0;
}
