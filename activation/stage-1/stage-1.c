/* firn-stage-1: the init of firn's initrd (PID 1 until the real root is up).
 *
 * It mounts /proc, /sys, /dev (devtmpfs) and /run (tmpfs); reads
 * /etc/firn/stage-1.conf (the format is in stage-1-conf.h and README.md)
 * and the kernel command line (init=, firn.root=, firn.shell); loads the
 * configured kernel modules in order with finit_module(2); waits for the
 * root device and mounts it at /mnt-root (or a tmpfs there), then the
 * other file systems beneath it (the store, …); moves /dev, /proc, /sys
 * and /run into the new root (so /run stays the tmpfs made here, with
 * whatever stage 1 left in it); deletes the initrd's own files to free
 * their memory (not crossing into other mounts, as switch_root does);
 * makes /mnt-root the root (MS_MOVE onto /, chroot) and execs init= with
 * argv[0] = its path.
 *
 * Each step prints one line on the console with the time since stage 1
 * started. On failure it prints what failed, with the errno text; then,
 * when the configuration says `emergency-shell 1` or the command line has
 * firn.shell, it runs /bin/sh from the initrd if there is one (firn's
 * initrds have none unless one is added); then it waits 10 seconds and
 * reboots.
 *
 * Statically linked against plain libc: the initrd holds nothing else. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stage-1-blkdev.h"
#include "stage-1-conf.h"

#define CONF_PATH "/etc/firn/stage-1.conf"
#define NEW_ROOT "/mnt-root"
#define SHELL_PATH "/bin/sh"
#define CMDLINE_MAX (64 * 1024)
#define POLL_INTERVAL_NS (100 * 1000 * 1000L)
#define REBOOT_DELAY_S 10
/* Deepest directory nesting removed from the initramfs. */
#define CLEANUP_MAX_DEPTH 64

static struct timespec t_start;
static bool emergency_shell;

/* ---- console output ------------------------------------------------------ */

static double seconds_since(const struct timespec *t0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double) (now.tv_sec - t0->tv_sec) + (double) (now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
        char line[4096];
        int n = snprintf(line, sizeof(line), "firn stage 1 [%.3fs]: ", seconds_since(&t_start));
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t) n < sizeof(line))
                vsnprintf(line + n, sizeof(line) - n, fmt, ap);
        va_end(ap);
        size_t len = strnlen(line, sizeof(line) - 2);
        line[len++] = '\n';
        for (size_t off = 0; off < len;) {
                ssize_t w = write(STDERR_FILENO, line + off, len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        break;
                off += (size_t) w;
        }
}

static void sleep_ns(long ns) {
        struct timespec ts = { .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* ---- failure ------------------------------------------------------------- */

static void run_shell(void) {
        if (access(SHELL_PATH, X_OK) < 0) {
                say("an emergency shell was asked for, but the initrd has no %s", SHELL_PATH);
                return;
        }
        say("starting the emergency shell %s; the machine reboots when it exits", SHELL_PATH);
        pid_t pid = fork();
        if (pid < 0) {
                say("error: fork: %s", strerror(errno));
                return;
        }
        if (pid == 0) {
                setsid();
                (void) ioctl(STDIN_FILENO, TIOCSCTTY, 1);
                execl(SHELL_PATH, "sh", (char *) NULL);
                say("error: executing %s: %s", SHELL_PATH, strerror(errno));
                _exit(127);
        }
        /* As PID 1 this also reaps whatever the shell leaves behind. */
        for (;;) {
                pid_t p = wait(NULL);
                if (p == pid || (p < 0 && errno == ECHILD))
                        break;
        }
}

static _Noreturn void emergency(void) {
        if (emergency_shell)
                run_shell();
        else
                say("(firn.shell on the kernel command line or emergency-shell 1 in the configuration asks for an "
                    "emergency shell)");
        say("rebooting in %d seconds", REBOOT_DELAY_S);
        sleep_ns(REBOOT_DELAY_S * 1000000000L);
        sync();
        reboot(RB_AUTOBOOT);
        say("error: reboot: %s", strerror(errno));
        for (;;)
                pause();
}

/* Prints "error: …" and does not return. */
static _Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void fail(const char *fmt, ...) {
        char msg[3072];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        say("error: %s", msg);
        emergency();
}

/* ---- small helpers ------------------------------------------------------- */

static void *xmalloc(size_t n) {
        void *p = malloc(n ? n : 1);
        if (!p)
                fail("out of memory");
        return p;
}

static char *join(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        char *p = xmalloc(la + lb + 1);
        memcpy(p, a, la);
        memcpy(p + la, b, lb + 1);
        return p;
}

/* Reads a whole small file (at most max bytes) as a NUL-terminated string. */
static int read_text(const char *path, size_t max, char **ret) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        char *buf = xmalloc(max + 1);
        size_t len = 0;
        for (;;) {
                ssize_t n = read(fd, buf + len, max - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int r = -errno;
                        free(buf);
                        close(fd);
                        return r;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len == max) {
                        free(buf);
                        close(fd);
                        return -EFBIG;
                }
        }
        close(fd);
        buf[len] = 0;
        *ret = buf;
        return 0;
}

/* mkdir -p (0755). Returns 0 or a negative errno. */
static int mkdir_parents(const char *path) {
        char *p = join(path, "");
        int r = 0;
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s)
                        continue;
                char c = *s;
                *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST) {
                        r = -errno;
                        break;
                }
                *s = c;
                if (!c)
                        break;
        }
        free(p);
        return r;
}

/* ---- steps --------------------------------------------------------------- */

static void mount_api_filesystems(void) {
        static const struct {
                const char *source, *target, *type;
                unsigned long flags;
                const char *data;
        } api[] = {
                { "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
                { "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
                { "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=755" },
                { "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755" },
        };
        for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++) {
                if (mkdir(api[i].target, 0755) < 0 && errno != EEXIST)
                        fail("creating %s: %s", api[i].target, strerror(errno));
                if (mount(api[i].source, api[i].target, api[i].type, api[i].flags, api[i].data) < 0 &&
                    !(errno == EBUSY && strcmp(api[i].type, "devtmpfs") == 0))
                        fail("mounting %s (%s): %s", api[i].target, api[i].type, strerror(errno));
                say("mounted %s", api[i].target);
                /* The kernel opens /dev/console for init when the initrd has
                 * that node; if it did not, open it now. */
                if (strcmp(api[i].target, "/dev") == 0 && fcntl(STDERR_FILENO, F_GETFD) < 0) {
                        int fd = open("/dev/console", O_RDWR | O_NOCTTY);
                        if (fd >= 0) {
                                for (int k = 0; k < 3; k++)
                                        if (fd != k)
                                                dup2(fd, k);
                                if (fd > 2)
                                        close(fd);
                        }
                }
        }
}

static void load_modules(const Stage1Conf *conf) {
        for (size_t i = 0; i < conf->n_modules; i++) {
                const char *path = conf->modules[i];
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        fail("opening the kernel module %s: %s", path, strerror(errno));
                long r = syscall(SYS_finit_module, fd, "", 0);
                int e = errno;
                close(fd);
                if (r < 0 && e != EEXIST)
                        fail("loading the kernel module %s: %s", path, strerror(e));
                const char *base = strrchr(path, '/');
                say("loaded module %s%s", base ? base + 1 : path, r < 0 ? " (already loaded)" : "");
        }
}

static bool is_devspec(const char *s) {
        return strncmp(s, "/dev/", 5) == 0 || strncmp(s, "LABEL=", 6) == 0 || strncmp(s, "UUID=", 5) == 0;
}

/* Waits up to timeout seconds for the device DEVSPEC; returns its node. */
static char *wait_for_device(const char *spec, const char *what, unsigned timeout) {
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        unsigned announced = 0;
        for (;;) {
                char *path;
                int r = stage1_blkdev_find(spec, &path);
                if (r == 0) {
                        if (announced)
                                say("found %s %s after %.1fs", what, spec, seconds_since(&t0));
                        return path;
                }
                if (r == -EINVAL)
                        fail("%s '%s' is not /dev/…, LABEL=… or UUID=…", what, spec);
                if (r == -ENOTBLK)
                        fail("%s %s is not a block device", what, spec);
                double waited = seconds_since(&t0);
                if (waited >= timeout) {
                        char devices[2048];
                        stage1_blkdev_describe(devices, sizeof(devices));
                        fail("%s %s did not appear within %u s; block devices present: %s", what, spec, timeout,
                             devices);
                }
                if ((unsigned) waited >= announced) {
                        say("waiting for %s %s (%us of %us)", what, spec, (unsigned) waited, timeout);
                        announced = (unsigned) waited + 1;
                }
                sleep_ns(POLL_INTERVAL_NS);
        }
}

/* Mounts m at host path `where`: the source is waited for when it names a
 * block device; other sources (a 9p tag, …) are retried while mount says
 * ENOENT or ENXIO (the transport has not appeared yet). */
static void mount_one(const Stage1Mount *m, const char *where, const char *what, unsigned timeout) {
        unsigned long flags;
        char *data;
        stage1_mount_options(m->options, &flags, &data);
        bool tmpfs = strcmp(m->fstype, "tmpfs") == 0;
        if (tmpfs && !stage1_options_have(data, "mode")) {
                char *d = join(*data ? data : "mode=755", *data ? ",mode=755" : "");
                free(data);
                data = d;
        }
        char *source = tmpfs ? join("tmpfs", "") : is_devspec(m->source) ? wait_for_device(m->source, what, timeout)
                                                                          : join(m->source, "");
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                if (mount(source, where, m->fstype, flags, *data ? data : NULL) == 0)
                        break;
                int e = errno;
                if ((e == ENOENT || e == ENXIO) && !tmpfs && !is_devspec(m->source) &&
                    seconds_since(&t0) < timeout) {
                        sleep_ns(POLL_INTERVAL_NS);
                        continue;
                }
                fail("mounting %s %s on %s (type %s, options %s): %s", what, source, where, m->fstype, m->options,
                     strerror(e));
        }
        if (strcmp(source, m->source) == 0 || tmpfs)
                say("mounted %s %s on %s (%s)", what, tmpfs ? "tmpfs" : source, where, m->fstype);
        else
                say("mounted %s %s (%s) on %s (%s)", what, m->source, source, where, m->fstype);
        free(source);
        free(data);
}

static void mount_root(const Stage1Conf *conf, const Stage1Cmdline *cmdline) {
        Stage1Mount root = conf->root;
        if (cmdline->root) {
                say("root device %s from firn.root= (the configuration says %s)", cmdline->root, conf->root.source);
                root.source = cmdline->root;
        }
        if (mkdir(NEW_ROOT, 0755) < 0 && errno != EEXIST)
                fail("creating %s: %s", NEW_ROOT, strerror(errno));
        mount_one(&root, NEW_ROOT, "root device", conf->timeout);
}

static void mount_others(const Stage1Conf *conf) {
        for (size_t i = 0; i < conf->n_mounts; i++) {
                const Stage1Mount *m = &conf->mounts[i];
                char *where = join(NEW_ROOT, m->target);
                int r = mkdir_parents(where);
                if (r < 0)
                        fail("creating the mount point %s: %s", where, strerror(-r));
                mount_one(m, where, "file system", conf->timeout);
                free(where);
        }
}

/* Checks, before the initrd is gone, that init= names a file in the new
 * root (symlinks resolved inside it). */
static void check_init(const char *init) {
        if (init[0] != '/')
                fail("init=%s is not an absolute path", init);
        int rootfd = open(NEW_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                fail("opening %s: %s", NEW_ROOT, strerror(errno));
        struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
        int fd = (int) syscall(SYS_openat2, rootfd, init, &how, sizeof(how));
        int e = errno;
        if (fd < 0 && e == ENOSYS) {
                close(rootfd);
                return; /* an old kernel: exec will tell */
        }
        if (fd < 0)
                fail("init=%s is not in the new root: %s", init, strerror(e));
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                fail("init=%s in the new root is not a regular file", init);
        close(fd);
        close(rootfd);
}

static void move_api_filesystems(void) {
        static const char *const api[] = { "/dev", "/proc", "/sys", "/run" };
        for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++) {
                char *where = join(NEW_ROOT, api[i]);
                if (mkdir(where, 0755) < 0 && errno != EEXIST)
                        fail("creating %s: %s", where, strerror(errno));
                if (mount(api[i], where, NULL, MS_MOVE, NULL) < 0)
                        fail("moving %s to %s: %s", api[i], where, strerror(errno));
                free(where);
        }
        say("moved /dev, /proc, /sys and /run into the new root");
}

/* Removes everything below the directory fd that is on device dev (the
 * initramfs), as switch_root does; adds the bytes freed to *freed. */
static void remove_tree(int dirfd, dev_t dev, unsigned depth, unsigned long long *freed) {
        DIR *d = fdopendir(dirfd);
        if (!d) {
                close(dirfd);
                return;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        if (depth >= CLEANUP_MAX_DEPTH)
                                continue;
                        int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub < 0)
                                continue;
                        remove_tree(sub, dev, depth + 1, freed);
                        (void) unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
                } else if (unlinkat(dirfd, de->d_name, 0) == 0)
                        *freed += (unsigned long long) st.st_size;
        }
        closedir(d);
}

static void remove_initramfs(void) {
        struct statfs sfs;
        struct stat st;
        if (statfs("/", &sfs) < 0 || stat("/", &st) < 0)
                fail("looking at the initrd's root: %s", strerror(errno));
        if (sfs.f_type != RAMFS_MAGIC && sfs.f_type != TMPFS_MAGIC) {
                say("warning: / is not an initramfs (type %#lx); not removing its files", (unsigned long) sfs.f_type);
                return;
        }
        int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                fail("opening the initrd's root: %s", strerror(errno));
        unsigned long long freed = 0;
        remove_tree(fd, st.st_dev, 0, &freed);
        say("removed the initrd's files (%llu KiB freed)", freed / 1024);
}

static void switch_root(void) {
        if (chdir(NEW_ROOT) < 0)
                fail("changing to %s: %s", NEW_ROOT, strerror(errno));
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                fail("moving %s onto /: %s", NEW_ROOT, strerror(errno));
        if (chroot(".") < 0)
                fail("chroot into the new root: %s", strerror(errno));
        if (chdir("/") < 0)
                fail("changing to the new /: %s", strerror(errno));
        say("switched to the new root");
}

int main(int argc, char **argv) {
        (void) argc;
        (void) argv;
        clock_gettime(CLOCK_MONOTONIC, &t_start);
        struct timespec up;
        clock_gettime(CLOCK_BOOTTIME, &up);
        umask(0022);

        if (getpid() != 1) {
                fprintf(stderr, "firn-stage-1: must run as PID 1 in an initrd\n");
                return 1;
        }
        say("started (kernel uptime %.3fs)", (double) up.tv_sec + (double) up.tv_nsec / 1e9);

        mount_api_filesystems();

        char *text;
        Stage1Cmdline cmdline;
        int r = read_text("/proc/cmdline", CMDLINE_MAX, &text);
        if (r < 0)
                fail("reading /proc/cmdline: %s", strerror(-r));
        stage1_cmdline_parse(text, &cmdline);
        free(text);
        emergency_shell = cmdline.shell;

        Stage1Conf conf;
        char err[512];
        r = read_text(CONF_PATH, STAGE1_CONF_MAX_SIZE, &text);
        if (r < 0)
                fail("reading %s: %s", CONF_PATH, strerror(-r));
        if (stage1_conf_parse(text, &conf, err, sizeof(err)) < 0)
                fail("%s: %s", CONF_PATH, err);
        free(text);
        emergency_shell = emergency_shell || conf.emergency_shell;
        say("read %s (%zu modules, root %s, %zu more mounts, timeout %us)", CONF_PATH, conf.n_modules,
            conf.root.source, conf.n_mounts, conf.timeout);

        if (!cmdline.init)
                fail("no init= on the kernel command line: nothing to run after stage 1");

        load_modules(&conf);
        mount_root(&conf, &cmdline);
        mount_others(&conf);
        check_init(cmdline.init);
        move_api_filesystems();
        remove_initramfs();
        switch_root();

        say("executing %s", cmdline.init);
        char *const init_argv[] = { cmdline.init, NULL };
        execv(cmdline.init, init_argv);
        fail("executing %s: %s", cmdline.init, strerror(errno));
}
