/* A stand-in for stage 2 in the boot tests (t-stage-1.sh): stage 1 execs it
 * as the init= of a fake system. It prints FIRN-STAGE-2-REACHED, one
 * "FIRN-CHECK NAME ok|FAILED (…)" line per check of what stage 1 promised,
 * the mounts it sees and the uptime, then powers the machine off (with
 * QEMU's -no-reboot, QEMU exits). Static: the new root has no libc. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static int failed;

static void check(const char *name, int ok, const char *fmt, ...) {
        char why[256] = "";
        if (!ok) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(why, sizeof(why), fmt, ap);
                va_end(ap);
                failed++;
        }
        printf("FIRN-CHECK %s %s%s%s%s\n", name, ok ? "ok" : "FAILED", ok ? "" : " (", why, ok ? "" : ")");
}

/* The type of the file system mounted at exactly `path` (the last such
 * line of /proc/self/mounts), written into type; "" when none is. */
static void mount_type(const char *path, char *type, size_t len) {
        type[0] = 0;
        FILE *f = fopen("/proc/self/mounts", "re");
        if (!f)
                return;
        char line[1024], where[512], fstype[64];
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "%*s %511s %63s", where, fstype) == 2 && strcmp(where, path) == 0)
                        snprintf(type, len, "%s", fstype);
        fclose(f);
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("FIRN-STAGE-2-REACHED as %s (pid %d)\n", argc > 0 ? argv[0] : "?", (int) getpid());

        check("pid-1", getpid() == 1, "pid %d", (int) getpid());
        /* The root's type: ext4, or what fake.root= on the kernel command
         * line says. */
        char root_type[64] = "ext4", cmdline[4096] = "";
        FILE *c = fopen("/proc/cmdline", "re");
        if (c) {
                if (fgets(cmdline, sizeof(cmdline), c)) {
                        const char *p = strstr(cmdline, "fake.root=");
                        if (p)
                                sscanf(p + 10, "%63[^ \n]", root_type);
                }
                fclose(c);
        }
        char root_check[96];
        snprintf(root_check, sizeof(root_check), "root-is-%s", root_type);
        const struct {
                const char *name, *path, *type;
        } fs[] = {
                { root_check, "/", root_type },     { "run-is-tmpfs", "/run", "tmpfs" },
                { "store-is-9p", "/nix/store", "9p" }, { "proc-mounted", "/proc", "proc" },
                { "sys-mounted", "/sys", "sysfs" }, { "dev-mounted", "/dev", "devtmpfs" },
        };
        for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
                char type[64];
                mount_type(fs[i].path, type, sizeof(type));
                check(fs[i].name, strcmp(type, fs[i].type) == 0, "%s is %s", fs[i].path,
                      *type ? type : "not a mount point");
        }
        struct statfs sfs;
        check("run-statfs-tmpfs", statfs("/run", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC,
              "statfs(/run) says otherwise");
        check("init-in-store", argc > 0 && access(argv[0], X_OK) == 0, "%s: %s", argv[0], strerror(errno));
        check("initrd-gone", access("/init", F_OK) < 0 && access("/etc/firn/stage-1.conf", F_OK) < 0,
              "the initrd's files are visible");

        /* The mounts, as the kernel lists them. */
        FILE *f = fopen("/proc/self/mounts", "re");
        if (f) {
                char line[1024];
                while (fgets(line, sizeof(line), f))
                        printf("FIRN-MOUNT %s", line);
                fclose(f);
        }
        f = fopen("/proc/uptime", "re");
        if (f) {
                double up = 0;
                if (fscanf(f, "%lf", &up) == 1)
                        printf("FIRN-UPTIME %.2f\n", up);
                fclose(f);
        }
        printf("FIRN-STAGE-2-DONE %d failed\n", failed);
        fflush(stdout);
        sync();
        reboot(RB_POWER_OFF);
        printf("FIRN-STAGE-2 poweroff failed: %s\n", strerror(errno));
        for (;;)
                pause();
}
