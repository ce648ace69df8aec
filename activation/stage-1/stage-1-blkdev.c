/* Finding block devices for firn's stage-1 init (see the header). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stage-1-blkdev.h"

/* ext2/3/4 superblock: at byte 1024 of the device; within it the magic
 * (le16) at 56, the UUID at 104 (16 bytes), the volume name at 120 (16). */
#define EXT_SB_OFFSET 1024
#define EXT_MAGIC_OFFSET (EXT_SB_OFFSET + 56)
#define EXT_UUID_OFFSET (EXT_SB_OFFSET + 104)
#define EXT_LABEL_OFFSET (EXT_SB_OFFSET + 120)
#define EXT_MAGIC 0xEF53

/* Block devices looked at, at most. */
#define MAX_DEVICES 256

int stage1_ext_probe(const unsigned char *buf, size_t len, char ret_label[17], char ret_uuid[37]) {
        if (len < STAGE1_EXT_PROBE_SIZE)
                return -EINVAL;
        if ((buf[EXT_MAGIC_OFFSET] | buf[EXT_MAGIC_OFFSET + 1] << 8) != EXT_MAGIC)
                return -EINVAL;
        memcpy(ret_label, buf + EXT_LABEL_OFFSET, 16);
        ret_label[16] = 0;
        const unsigned char *u = buf + EXT_UUID_OFFSET;
        snprintf(ret_uuid, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
        return 0;
}

/* Reads the first bytes of /dev/NAME. Returns 0, or a negative errno. */
static int read_head(const char *name, unsigned char buf[STAGE1_EXT_PROBE_SIZE]) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "/dev/%s", name);
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        ssize_t n = pread(fd, buf, STAGE1_EXT_PROBE_SIZE, 0);
        int r = n < 0 ? -errno : n < STAGE1_EXT_PROBE_SIZE ? -EIO : 0;
        close(fd);
        return r;
}

/* The size of /sys/class/block/NAME in 512-byte sectors; 0 if unknown. */
static unsigned long long sectors(const char *name) {
        char path[PATH_MAX], text[32] = "";
        snprintf(path, sizeof(path), "/sys/class/block/%s/size", name);
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        unsigned long long v = 0;
        if (fgets(text, sizeof(text), f))
                v = strtoull(text, NULL, 10);
        fclose(f);
        return v;
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in /sys/class/block, sorted (malloc'ed array of malloc'ed
 * names); returns how many. */
static size_t list_devices(char ***ret) {
        char **names = NULL;
        size_t n = 0;
        DIR *d = opendir("/sys/class/block");
        if (d) {
                struct dirent *de;
                while ((de = readdir(d)) && n < MAX_DEVICES) {
                        if (de->d_name[0] == '.')
                                continue;
                        char **grown = realloc(names, (n + 1) * sizeof(char *));
                        char *name = strdup(de->d_name);
                        if (!grown || !name)
                                abort();
                        names = grown;
                        names[n++] = name;
                }
                closedir(d);
        }
        if (n)
                qsort(names, n, sizeof(char *), cmp_names);
        *ret = names;
        return n;
}

static void free_list(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

int stage1_blkdev_find(const char *spec, char **ret_path) {
        if (spec[0] == '/') {
                struct stat st;
                if (stat(spec, &st) < 0)
                        return errno == ENOTDIR ? -ENOENT : -errno;
                if (!S_ISBLK(st.st_mode))
                        return -ENOTBLK;
                *ret_path = strdup(spec);
                if (!*ret_path)
                        abort();
                return 0;
        }
        bool by_label = strncmp(spec, "LABEL=", 6) == 0;
        if (!by_label && strncmp(spec, "UUID=", 5) != 0)
                return -EINVAL;
        const char *want = spec + (by_label ? 6 : 5);

        char **names;
        size_t n = list_devices(&names);
        int r = -ENOENT;
        for (size_t i = 0; i < n && r == -ENOENT; i++) {
                unsigned char buf[STAGE1_EXT_PROBE_SIZE];
                char label[17], uuid[37];
                if (sectors(names[i]) == 0 || read_head(names[i], buf) < 0 ||
                    stage1_ext_probe(buf, sizeof(buf), label, uuid) < 0)
                        continue;
                if (by_label ? strcmp(label, want) == 0 : strcasecmp(uuid, want) == 0) {
                        if (asprintf(ret_path, "/dev/%s", names[i]) < 0)
                                abort();
                        r = 0;
                }
        }
        free_list(names, n);
        return r;
}

void stage1_blkdev_describe(char *buf, size_t len) {
        char **names;
        size_t n = list_devices(&names);
        size_t used = 0;
        if (len == 0) {
                free_list(names, n);
                return;
        }
        buf[0] = 0;
        for (size_t i = 0; i < n && used < len; i++) {
                char what[128];
                unsigned long long s = sectors(names[i]);
                unsigned char head[STAGE1_EXT_PROBE_SIZE];
                char label[17], uuid[37];
                if (s == 0)
                        snprintf(what, sizeof(what), "empty");
                else if (read_head(names[i], head) == 0 && stage1_ext_probe(head, sizeof(head), label, uuid) == 0)
                        snprintf(what, sizeof(what), "%llu MiB, ext2/3/4 label \"%s\" uuid %s", s / 2048, label,
                                 uuid);
                else
                        snprintf(what, sizeof(what), "%llu MiB, no ext2/3/4 file system", s / 2048);
                int k = snprintf(buf + used, len - used, "%s%s (%s)", i ? ", " : "", names[i], what);
                if (k < 0)
                        break;
                used += (size_t) k;
        }
        if (n == 0)
                snprintf(buf, len, "none");
        free_list(names, n);
}
