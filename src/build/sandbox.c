/* The build sandbox (see sandbox.h).
 *
 * Two processes take part. The caller's process (the parent) prepares all
 * it can with its own privileges, before the child exists:
 *
 *   - the new root, on a detached tmpfs (fsopen/fsmount: in no mount
 *     namespace, so never visible on the host): directories, the input
 *     mount points, /etc's files, the /dev mount points and links, the FHS
 *     links. Creating inodes on a tmpfs costs microseconds; on the disk
 *     file system of a busy build machine it can cost far more;
 *   - the store directory, a detached overlay: its lower layer is the
 *     tmpfs's store directory holding the input mount points, its upper
 *     layer spec->chroot_dir/nix/store on disk, so the outputs land there,
 *     on the caller's file system, and nothing else does. Without overlayfs
 *     (or with FIRN_SANDBOX_OVERLAY=0, for tests) the disk directory itself
 *     is bind-mounted and the mount points are made in it;
 *   - detached bind mounts of /tmp (spec->chroot_dir/tmp) and /build;
 *   - argv and the compiled seccomp program.
 *
 * It then clones the child straight into new user, mount, PID, network,
 * IPC and UTS namespaces, writes the child's uid and gid maps, and lets it
 * go. The child (PID 1 of the new PID namespace) only makes system calls:
 * it attaches the detached mounts, bind-mounts the inputs (one mount(2)
 * each: they are bound through a read-only, nosuid, nodev bind of the real
 * store directory, whose flags they inherit), mounts devpts, /dev/shm and
 * /proc, pivots, drops its credentials, installs the seccomp program and
 * execs the builder. It shares the caller's memory until the execve
 * (CLONE_VM, on a stack of its own, as posix_spawn does), so it must not
 * take locks another thread might hold, nor change anything the parent
 * reads: no malloc, no stdio but snprintf into its own buffer, raw system
 * calls for the credentials (glibc's setresuid would wait for the other
 * threads of the caller). It even shares errno with the calling thread,
 * which meanwhile only writes the uid maps and then blocks. A failing step
 * sends (errno, "what failed") over a close-on-exec pipe and exits; the
 * parent reads that pipe until EOF, which comes at the builder's execve.
 *
 * The parent then copies the builder's output to the log, enforces the
 * timeouts by killing PID 1 of the namespace (which takes every other
 * process in it along), and reaps the child through a pidfd. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include "cleanup.h"
#include "fileio.h"
#include "path-util.h"
#include "sandbox.h"
#include "strbuf.h"
#include "xalloc.h"

/* ---- the plan: what the child does ---------------------------------- */

enum {
        BIND_RECURSIVE = 1 << 0, /* MS_REC, and the attributes below recursively */
        BIND_READONLY = 1 << 1,  /* read-only */
        BIND_DEVICE = 1 << 2,    /* a device node: no nodev */
};

typedef struct BindMount {
        char *source;   /* host path */
        char *target;   /* relative to the new root */
        unsigned flags;
} BindMount;

typedef struct Plan {
        const SandboxSpec *spec;
        char *root;               /* absolute spec->chroot_dir: where the root is attached */
        char *real_store;         /* ROOT + store_dir: the inputs' source */
        BindMount *binds;         /* in order: devices, sandbox paths, /etc files */
        size_t n_binds, alloc_binds;
        BindMount *inputs;        /* bound through the read-only store, whose flags they keep */
        size_t n_inputs, alloc_inputs;
        char **argv;              /* argv[0] = builder's base name */
        const struct sock_fprog *filter;
        int root_fd;              /* detached tmpfs: the new root */
        int store_fd;             /* detached overlay (or bind) for the store directory */
        int tmp_fd;               /* detached bind of chroot_dir/tmp */
        int build_fd;             /* detached bind of build_dir */
        int sync_fd;              /* child reads one byte: the maps are written */
        int error_fd;             /* child writes a ChildError on failure (CLOEXEC) */
        int log_fd;               /* the builder's stdout and stderr */
} Plan;

typedef struct ChildError {
        int error;
        char message[1024];
} ChildError;

static void binds_free(BindMount *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(b[i].source);
                free(b[i].target);
        }
        free(b);
}

static void plan_free(Plan *p) {
        free(p->root);
        free(p->real_store);
        binds_free(p->binds, p->n_binds);
        binds_free(p->inputs, p->n_inputs);
        free(p->argv);
        closep(&p->root_fd);
        closep(&p->store_fd);
        closep(&p->tmp_fd);
        closep(&p->build_fd);
}

static void binds_add(BindMount **b, size_t *n, size_t *alloc, char *source, char *target, unsigned flags) {
        if (*n == *alloc) {
                *alloc = *alloc ? 2 * *alloc : 64;
                *b = xrealloc(*b, *alloc * sizeof **b);
        }
        (*b)[(*n)++] = (BindMount) { source, target, flags };
}

static void plan_add_bind(Plan *p, char *source, char *target, unsigned flags) {
        binds_add(&p->binds, &p->n_binds, &p->alloc_binds, source, target, flags);
}

static int fail(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(char **ret_error, int r, const char *fmt, ...) {
        StrBuf sb = STRBUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        if (r < 0)
                strbuf_addf(&sb, ": %s", strerror(-r));
        *ret_error = strbuf_detach(&sb, NULL);
        return r;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* ---- the seccomp program (compiled once per process) ------------------ */

static pthread_once_t filter_once = PTHREAD_ONCE_INIT;
static struct sock_fprog filter_prog;
static int filter_error;
static const char *filter_step;

/* Nix's filter: no setuid or setgid bits, no extended attributes (they
 * cannot be represented in a NAR). Other system calls are allowed. */
static int filter_build(scmp_filter_ctx ctx) {
        int r;
        /* 32-bit and x32 binaries use other system call numbers. */
#if defined(__x86_64__)
        filter_step = "adding the x86 seccomp architecture";
        if ((r = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 && r != -EEXIST)
                return r;
        filter_step = "adding the x32 seccomp architecture";
        if ((r = seccomp_arch_add(ctx, SCMP_ARCH_X32)) < 0 && r != -EEXIST)
                return r;
#elif defined(__aarch64__)
        (void) seccomp_arch_add(ctx, SCMP_ARCH_ARM); /* best effort, as Nix */
#endif

        /* fchmodat2 (Linux 6.6) is known to newer libseccomp only; fall back
         * to its number, which is the same on every architecture but alpha
         * (the rule then covers the native architecture). */
        int fchmodat2 = seccomp_syscall_resolve_name("fchmodat2");
        if (fchmodat2 == __NR_SCMP_ERROR)
                fchmodat2 = 452;

        filter_step = "adding the seccomp rules for setuid and setgid bits";
        const scmp_datum_t perms[] = { S_ISUID, S_ISGID };
        for (size_t i = 0; i < ELEMENTSOF(perms); i++) {
                scmp_datum_t perm = perms[i];
                if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(chmod), 1,
                                          SCMP_A1(SCMP_CMP_MASKED_EQ, perm, perm))) < 0 ||
                    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fchmod), 1,
                                          SCMP_A1(SCMP_CMP_MASKED_EQ, perm, perm))) < 0 ||
                    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fchmodat), 1,
                                          SCMP_A2(SCMP_CMP_MASKED_EQ, perm, perm))) < 0 ||
                    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), fchmodat2, 1,
                                          SCMP_A2(SCMP_CMP_MASKED_EQ, perm, perm))) < 0)
                        return r;
        }

        filter_step = "adding the seccomp rules for extended attributes";
        if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTSUP), SCMP_SYS(setxattr), 0)) < 0 ||
            (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTSUP), SCMP_SYS(lsetxattr), 0)) < 0 ||
            (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOTSUP), SCMP_SYS(fsetxattr), 0)) < 0)
                return r;
        return 0;
}

/* libseccomp builds the BPF program here, in the parent; the child only
 * hands it to the kernel. */
static void filter_compile(void) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx) {
                filter_step = "initialising the seccomp filter";
                filter_error = -ENOMEM;
                return;
        }
        int r = filter_build(ctx);
        if (r >= 0) {
                filter_step = "exporting the seccomp program";
                int fd = memfd_create("firn-seccomp", MFD_CLOEXEC);
                if (fd < 0)
                        r = -errno;
                else {
                        r = seccomp_export_bpf(ctx, fd);
                        off_t size = r >= 0 ? lseek(fd, 0, SEEK_END) : -1;
                        if (r >= 0 && (size <= 0 || size % sizeof(struct sock_filter) != 0 ||
                                       size / sizeof(struct sock_filter) > BPF_MAXINSNS))
                                r = -EINVAL;
                        if (r >= 0) {
                                struct sock_filter *insns = xmalloc((size_t) size);
                                if (pread(fd, insns, (size_t) size, 0) != size) {
                                        r = -EIO;
                                        free(insns);
                                } else {
                                        filter_prog.len = (unsigned short) (size / sizeof(struct sock_filter));
                                        filter_prog.filter = insns;
                                }
                        }
                        close(fd);
                }
        }
        seccomp_release(ctx);
        filter_error = r < 0 ? r : 0;
}

/* ---- the child ------------------------------------------------------- */

_noreturn_ static void child_fail(const Plan *p, int error, const char *fmt, ...) _printf_(3, 4);
_noreturn_ static void child_fail(const Plan *p, int error, const char *fmt, ...) {
        ChildError e = { .error = error };
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e.message, sizeof e.message, fmt, ap);
        va_end(ap);
        (void) !write(p->error_fd, &e, sizeof e);
        _exit(127);
}

#define CHILD_CHECK(expr, ...)                                  \
        do {                                                    \
                if ((expr) < 0)                                 \
                        child_fail(p, errno, __VA_ARGS__);      \
        } while (0)

static int child_set_attr(const char *path, unsigned flags) {
        struct mount_attr attr = {
                .attr_set = MOUNT_ATTR_NOSUID |
                            (flags & BIND_DEVICE ? 0 : MOUNT_ATTR_NODEV) |
                            (flags & BIND_READONLY ? MOUNT_ATTR_RDONLY : 0),
        };
        return mount_setattr(AT_FDCWD, path, flags & BIND_RECURSIVE ? AT_RECURSIVE : 0,
                             &attr, sizeof attr);
}

static int child_loopback_up(void) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        struct ifreq ifr = { .ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING };
        strcpy(ifr.ifr_name, "lo");
        int r = ioctl(fd, SIOCSIFFLAGS, &ifr);
        int saved = errno;
        close(fd);
        errno = saved;
        return r;
}

/* Empties the bounding and ambient sets (needs CAP_SETPCAP, so before
 * the uid changes): no execve can bring a capability back. */
static int child_drop_bounding_set(void) {
        for (unsigned long cap = 0; cap <= 63; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                        if (errno == EINVAL)
                                break; /* past the last capability */
                        return -1;
                }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -1;
        return 0;
}

_noreturn_ static void child_main(const Plan *p) {
        const SandboxSpec *spec = p->spec;
        char c;

        /* Die with the parent (again below: changing credentials clears
         * it). The mounts need no uid map (everything they reach belongs to
         * root or is world-readable), so they go ahead while the parent
         * writes it. */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

        CHILD_CHECK(sethostname("localhost", strlen("localhost")), "setting the host name");
        CHILD_CHECK(setdomainname("(none)", strlen("(none)")), "setting the domain name");
        if (!spec->network)
                CHILD_CHECK(child_loopback_up(), "bringing up the loopback interface");

        /* Nothing we mount may propagate anywhere (mounts in a namespace of
         * a new user namespace would not reach the host anyway). */
        CHILD_CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "making the mount tree private");

        /* The root and what the parent prepared for it. */
        CHILD_CHECK(move_mount(p->root_fd, "", AT_FDCWD, p->root, MOVE_MOUNT_F_EMPTY_PATH),
                    "attaching the sandbox root at %s", p->root);
        CHILD_CHECK(chdir(p->root), "entering the root %s", p->root);
        CHILD_CHECK(move_mount(p->store_fd, "", AT_FDCWD, spec->store_dir + 1, MOVE_MOUNT_F_EMPTY_PATH),
                    "attaching %s", spec->store_dir);
        CHILD_CHECK(move_mount(p->tmp_fd, "", AT_FDCWD, "tmp", MOVE_MOUNT_F_EMPTY_PATH), "attaching /tmp");
        CHILD_CHECK(move_mount(p->build_fd, "", AT_FDCWD, "build", MOVE_MOUNT_F_EMPTY_PATH), "attaching /build");

        for (size_t i = 0; i < p->n_binds; i++) {
                const BindMount *b = &p->binds[i];
                CHILD_CHECK(mount(b->source, b->target, NULL,
                                  MS_BIND | (b->flags & BIND_RECURSIVE ? MS_REC : 0), NULL),
                            "bind-mounting %s on /%s", b->source, b->target);
                CHILD_CHECK(child_set_attr(b->target, b->flags), "setting the attributes of /%s", b->target);
        }

        CHILD_CHECK(mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                          "newinstance,ptmxmode=0666,mode=0620"),
                    "mounting devpts on /dev/pts");
        CHILD_CHECK(mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
                          "mode=1777,size=50%"),
                    "mounting a tmpfs on /dev/shm");
        /* We are PID 1 of the new PID namespace, so this procfs is its. */
        CHILD_CHECK(mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL),
                    "mounting /proc");

        /* The inputs: the real store directory, bound read-only over itself
         * (in this mount namespace only; the root is reached through the
         * working directory from now on), lends its flags to every input
         * bound out of it, so each costs a single mount(2). */
        if (p->n_inputs > 0) {
                CHILD_CHECK(mount(p->real_store, p->real_store, NULL, MS_BIND, NULL),
                            "bind-mounting the store %s", p->real_store);
                CHILD_CHECK(child_set_attr(p->real_store, BIND_READONLY),
                            "making the store %s read-only", p->real_store);
        }
        for (size_t i = 0; i < p->n_inputs; i++) {
                const BindMount *b = &p->inputs[i];
                CHILD_CHECK(mount(b->source, b->target, NULL, MS_BIND, NULL),
                            "bind-mounting the input %s on /%s", b->source, b->target);
        }

        /* The old root is stacked on top of the new one, then detached. */
        CHILD_CHECK(syscall(SYS_pivot_root, ".", "."), "pivot_root into %s", p->root);
        CHILD_CHECK(umount2(".", MNT_DETACH), "detaching the old root");

        /* Wait for the parent to have written our uid and gid maps (what
         * follows needs them: /build belongs to the build user, whom only
         * the map makes ours); EOF: it gave up, or died before
         * PR_SET_PDEATHSIG. */
        if (read(p->sync_fd, &c, 1) != 1)
                _exit(127);
        close(p->sync_fd);
        CHILD_CHECK(chdir("/build"), "entering /build");

        /* Become the build user: no groups, no capabilities (uid 0 of the
         * namespace is not mapped, so setuid alone would not clear them).
         * Raw system calls: glibc's wrappers would signal the caller's
         * other threads, which this process does not have, and wait for
         * them forever. */
        if (syscall(SYS_setgroups, 0, NULL) < 0 && errno != EPERM)
                child_fail(p, errno, "dropping the supplementary groups");
        CHILD_CHECK(syscall(SYS_setresgid, SANDBOX_BUILD_GID, SANDBOX_BUILD_GID, SANDBOX_BUILD_GID),
                    "setting the group id to %d", SANDBOX_BUILD_GID);
        CHILD_CHECK(child_drop_bounding_set(), "dropping the bounding capabilities");
        CHILD_CHECK(syscall(SYS_setresuid, SANDBOX_BUILD_UID, SANDBOX_BUILD_UID, SANDBOX_BUILD_UID),
                    "setting the user id to %d", SANDBOX_BUILD_UID);
        struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
        CHILD_CHECK(syscall(SYS_capset, &header, data), "dropping the capabilities");

        /* Die with the parent. Set after the credential change, which
         * clears it; if the parent is gone already, the error pipe has no
         * reader. */
        CHILD_CHECK(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), "setting the parent-death signal");
        struct pollfd pfd = { .fd = p->error_fd, .events = POLLOUT };
        if (poll(&pfd, 1, 0) < 0 || (pfd.revents & (POLLERR | POLLHUP)))
                _exit(127);

        umask(022);
        CHILD_CHECK(setsid(), "creating a session");

        /* Every signal is blocked (see sandbox_run): default dispositions
         * first, then unblock. */
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL); /* fails for the ones libc reserves */
        sigset_t none;
        sigemptyset(&none);
        CHILD_CHECK(sigprocmask(SIG_SETMASK, &none, NULL), "unblocking signals");

        /* Our pipes are above 2 (fd_above_stdio); /dev/null may land on
         * 0, where dup2 would leave it close-on-exec. */
        int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHILD_CHECK(null_fd, "opening /dev/null");
        CHILD_CHECK(null_fd == STDIN_FILENO ? fcntl(null_fd, F_SETFD, 0) : dup2(null_fd, STDIN_FILENO),
                    "setting up stdin");
        CHILD_CHECK(dup2(p->log_fd, STDOUT_FILENO), "setting up stdout");
        CHILD_CHECK(dup2(p->log_fd, STDERR_FILENO), "setting up stderr");
        /* Everything else the caller had open stays out of the sandbox. */
        CHILD_CHECK(close_range(3, ~0U, CLOSE_RANGE_CLOEXEC), "marking descriptors close-on-exec");

        CHILD_CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "setting no_new_privs");
        CHILD_CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, p->filter, 0, 0), "loading the seccomp filter");

        execve(spec->builder, p->argv, (char *const *) spec->env);
        child_fail(p, errno, "executing builder '%s'", spec->builder);
}

/* The child inherits every descriptor of the caller, including what other
 * threads have open at this instant (another build's pipes, its files
 * open for writing, which would keep that root from turning read-only):
 * it keeps only its own. */
static void child_close_others(const Plan *p) {
        int keep[] = { p->root_fd, p->store_fd, p->tmp_fd, p->build_fd, p->sync_fd, p->error_fd, p->log_fd };
        for (size_t i = 1; i < ELEMENTSOF(keep); i++) /* sorted, without qsort's malloc */
                for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
                        int t = keep[j];
                        keep[j] = keep[j - 1];
                        keep[j - 1] = t;
                }
        unsigned from = 0;
        for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
                if (keep[i] < 0)
                        continue;
                if ((unsigned) keep[i] > from)
                        (void) close_range(from, (unsigned) keep[i] - 1, 0);
                from = (unsigned) keep[i] + 1;
        }
        (void) close_range(from, ~0U, 0);
}

static int child_entry(void *arg) {
        const Plan *p = arg;
        child_close_others(p);
        child_main(p);
}

/* ---- the parent: preparing the root ---------------------------------- */

static int write_small_file(int dirfd, const char *path, const char *data) {
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        size_t len = strlen(data);
        ssize_t n = write(fd, data, len);
        if (n < 0)
                return -errno;
        return (size_t) n == len ? 0 : -EIO;
}

/* Creates an empty mount point for a bind of something of type mode at
 * name (relative to dirfd): a directory or an empty file. An existing one
 * of the same type is fine. */
static int make_mount_point(int dirfd, const char *name, mode_t mode) {
        if (S_ISDIR(mode)) {
                if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
                        return -errno;
                _cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                return fd < 0 ? -errno : 0;
        }
        _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0444);
        return fd < 0 ? -errno : 0;
}

/* Opens the directory that will hold inside path rel (relative, '/'-
 * separated, no "." or ".."), creating missing directories, never
 * following a symlink: a mount on a path through a symlink could land
 * outside the root. Returns the directory's fd and, in *ret_base, the last
 * component within rel. */
static int open_parent_beneath(int rootfd, const char *rel, const char **ret_base) {
        int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        const char *p = rel;
        for (;;) {
                const char *slash = strchr(p, '/');
                if (!slash) {
                        *ret_base = p;
                        return fd;
                }
                char comp[NAME_MAX + 1];
                size_t len = (size_t) (slash - p);
                if (len == 0 || len > NAME_MAX) {
                        close(fd);
                        return -EINVAL;
                }
                memcpy(comp, p, len);
                comp[len] = '\0';
                if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
                int next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int r = -errno;
                close(fd);
                if (next < 0)
                        return r == -ELOOP || r == -ENOTDIR ? -ENOTDIR : r;
                fd = next;
                p = slash + 1;
        }
}

/* Checks an inside path of a sandbox path: absolute, no "." or ".."
 * components, not the root itself. */
static bool inside_path_ok(const char *path) {
        if (path[0] != '/' || path[1] == '\0')
                return false;
        for (const char *p = path + 1; *p;) {
                const char *slash = strchrnul(p, '/');
                size_t len = (size_t) (slash - p);
                if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p = *slash ? slash + 1 : slash;
        }
        return path[strlen(path) - 1] != '/';
}

static int copy_symlink(const char *source, int dirfd, const char *name) {
        _cleanup_free_ char *target = NULL;
        int r = read_link(AT_FDCWD, source, &target);
        if (r < 0)
                return r;
        if (symlinkat(target, dirfd, name) < 0)
                return -errno;
        return 0;
}

/* Where the mount points go: the directories of the new root that are
 * mounts of their own (/tmp, the store) hide what the tmpfs holds beneath
 * them, so a path inside one is made in the mounted directory itself. */
typedef struct RootDirs {
        int rootfd;          /* the tmpfs */
        int tmpfd;           /* chroot_dir/tmp on disk */
        int storefd;         /* the store: the overlay's lower layer, or the disk directory */
        const char *store_rel;
} RootDirs;

/* Is rel strictly inside directory dir (both relative)? */
static const char *inside_dir(const char *rel, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(rel, dir, n) == 0 && rel[n] == '/' ? rel + n + 1 : NULL;
}

/* A sandbox path: in pass 0, makes its mount point (or copies it, for a
 * symlink) and records the bind; in pass 1 (the store is the disk
 * directory after all), makes again the mount points inside the store. */
static int plan_sandbox_path(Plan *p, const RootDirs *dirs, const char *entry, int pass, char **ret_error) {
        _cleanup_free_ char *copy = xstrdup(entry);
        size_t len = strlen(copy);
        bool optional = false;
        if (len > 1 && copy[len - 1] == '?') {
                optional = true;
                copy[--len] = '\0';
        }
        char *eq = strchr(copy, '=');
        const char *inside = copy, *host = copy;
        if (eq) {
                *eq = '\0';
                host = eq + 1;
        }
        if (!inside_path_ok(inside) || host[0] != '/')
                return fail(ret_error, -EINVAL, "sandbox path '%s' is not of the form /PATH or /INSIDE=/HOSTPATH", entry);
        const char *rel = inside + 1, *sub;
        int basefd = dirs->rootfd;
        if (inside_dir(rel, "build") || inside_dir(rel, "proc") || inside_dir(rel, "dev/pts") ||
            inside_dir(rel, "dev/shm"))
                return fail(ret_error, -EINVAL, "sandbox path '%s' lies inside a directory the sandbox mounts", entry);
        if ((sub = inside_dir(rel, "tmp")))
                basefd = dirs->tmpfd;
        else if ((sub = inside_dir(rel, dirs->store_rel)))
                basefd = dirs->storefd;
        else
                sub = rel;
        if (pass == 1 && basefd != dirs->storefd)
                return 0;

        struct stat st;
        if (lstat(host, &st) < 0) {
                if (optional && (errno == ENOENT || errno == ENOTDIR))
                        return 0;
                return fail(ret_error, -errno, "sandbox path '%s' (%s)", entry, host);
        }

        const char *base = NULL;
        _cleanup_close_ int dirfd = open_parent_beneath(basefd, sub, &base);
        if (dirfd < 0)
                return fail(ret_error, dirfd, "creating the mount point of sandbox path %s", inside);
        int r;
        if (S_ISLNK(st.st_mode)) {
                r = copy_symlink(host, dirfd, base);
                if (r < 0)
                        return fail(ret_error, r, "copying the symlink %s to %s in the sandbox", host, inside);
                return 0;
        }
        r = make_mount_point(dirfd, base, st.st_mode);
        if (r < 0)
                return fail(ret_error, r, "creating the mount point of sandbox path %s", inside);
        if (pass == 0)
                plan_add_bind(p, xstrdup(host), xstrdup(rel), BIND_RECURSIVE | BIND_READONLY);
        return 0;
}

/* Binds a host file of /etc (following symlinks, e.g. resolv.conf) if it
 * exists; returns 1 if it did. */
static int plan_host_etc_file(Plan *p, int etcfd, const char *name) {
        _cleanup_free_ char *host = xasprintf("/etc/%s", name);
        struct stat st;
        if (stat(host, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        int r = make_mount_point(etcfd, name, st.st_mode);
        if (r < 0)
                return r;
        plan_add_bind(p, TAKE_PTR(host), xasprintf("etc/%s", name), BIND_READONLY);
        return 1;
}

static const char etc_passwd[] =
        "root:x:0:0:Nix build user:/build:/noshell\n"
        "nixbld:x:1000:1000:Nix build user:/build:/noshell\n"
        "nobody:x:65534:65534:Nobody:/:/noshell\n";
static const char etc_group[] =
        "root:x:0:\n"
        "nixbld:!:1000:\n"
        "nogroup:x:65534:\n";
static const char etc_hosts[] =
        "127.0.0.1 localhost\n"
        "::1 localhost\n";

static const char *const device_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const char *const fhs_dirs[] = { "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32" };

/* Is path directly inside store_dir, with a plain base name? Returns the
 * base name or NULL. */
static const char *store_base(const char *store_dir, const char *path) {
        size_t n = strlen(store_dir);
        if (strncmp(path, store_dir, n) != 0 || path[n] != '/')
                return NULL;
        const char *base = path + n + 1;
        if (!*base || strchr(base, '/') || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return NULL;
        return base;
}

/* ---- detached mounts (parent) ---- */

static int detached_tmpfs(int *ret_fd) {
        _cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        int fd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

static int detached_bind(const char *path, int *ret_fd) {
        _cleanup_close_ int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
                return -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* An overlay whose lower layer is lower_rel in the detached mount
 * lower_mnt_fd (reached through /proc/self/fd). Only the basic features:
 * no index, no redirects, no metacopy, so the upper directory holds plain
 * files the caller can move into the store. */
static int detached_overlay(int lower_mnt_fd, const char *lower_rel, const char *upper, const char *work, int *ret_fd) {
        _cleanup_free_ char *lower = xasprintf("/proc/self/fd/%d/%s", lower_mnt_fd, lower_rel);
        _cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "index", "off", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "redirect_dir", "off", 0) < 0 ||
            fsconfig(fs, FSCONFIG_SET_STRING, "metacopy", "off", 0) < 0 ||
            fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        int fd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

/* Makes the mount point (or, for a symlink, the copy) of each input in
 * storefd; the first time also records the bind mounts. */
static int plan_inputs(Plan *p, int storefd, bool record, char **ret_error) {
        const SandboxSpec *spec = p->spec;
        for (const char *const *i = spec->inputs; i && *i; i++) {
                const char *base = store_base(spec->store_dir, *i);
                if (!base)
                        return fail(ret_error, -EINVAL, "input '%s' is not a store path in %s", *i, spec->store_dir);
                _cleanup_free_ char *source = xasprintf("%s/%s", p->real_store, base);
                struct stat st;
                if (lstat(source, &st) < 0)
                        return fail(ret_error, -errno, "input '%s' is missing (%s)", *i, source);
                int r = 0;
                if (S_ISLNK(st.st_mode))
                        r = copy_symlink(source, storefd, base);
                else if (S_ISDIR(st.st_mode))
                        r = mkdirat(storefd, base, 0555) < 0 ? -errno : 1;
                else if (S_ISREG(st.st_mode))
                        r = mknodat(storefd, base, S_IFREG | 0444, 0) < 0 ? -errno : 1;
                else
                        return fail(ret_error, -EINVAL, "input '%s' is neither a directory, a regular file nor a symlink", *i);
                if (r == -EEXIST)
                        continue; /* listed twice */
                if (r < 0)
                        return fail(ret_error, r, "creating the mount point of input '%s'", *i);
                if (r > 0 && record)
                        binds_add(&p->inputs, &p->n_inputs, &p->alloc_inputs, TAKE_PTR(source), xstrdup(*i + 1), 0);
        }
        return 0;
}

static bool overlay_wanted(void) {
        const char *e = getenv("FIRN_SANDBOX_OVERLAY");
        return !e || strcmp(e, "0") != 0;
}

static int plan_prepare(Plan *p, char **ret_error) {
        const SandboxSpec *spec = p->spec;
        const char *store_rel = spec->store_dir + 1;
        int r;

        /* On disk: the outputs' directory (the overlay's upper layer), the
         * overlay's work directory, /tmp. */
        if (mkdir(p->root, 0755) < 0)
                return fail(ret_error, -errno, "creating the sandbox root %s", p->root);
        _cleanup_close_ int diskfd = open(p->root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (diskfd < 0)
                return fail(ret_error, -errno, "opening the sandbox root %s", p->root);
        r = mkdir_p(diskfd, store_rel, 0755);
        if (r < 0)
                return fail(ret_error, r, "creating %s in %s", spec->store_dir, p->root);
        _cleanup_close_ int upperfd = openat(diskfd, store_rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (upperfd < 0)
                return fail(ret_error, -errno, "opening %s in %s", spec->store_dir, p->root);
        /* Writable by the build user's group, sticky so it cannot remove or
         * rename what is not its own. */
        if (fchown(upperfd, 0, spec->host_gid) < 0 || fchmod(upperfd, 01775) < 0)
                return fail(ret_error, -errno, "setting the owner and mode of %s in %s", spec->store_dir, p->root);
        _cleanup_free_ char *upper = xasprintf("%s/%s", p->root, store_rel);

        if (mkdirat(diskfd, "tmp", 01777) < 0 || fchmodat(diskfd, "tmp", 01777, 0) < 0)
                return fail(ret_error, -errno, "creating tmp in %s", p->root);
        _cleanup_free_ char *tmp = xasprintf("%s/tmp", p->root);
        r = detached_bind(tmp, &p->tmp_fd);
        if (r < 0)
                return fail(ret_error, r, "bind-mounting %s", tmp);

        if (chown(spec->build_dir, spec->host_uid, spec->host_gid) < 0)
                return fail(ret_error, -errno, "handing the build directory %s to the build user", spec->build_dir);
        r = detached_bind(spec->build_dir, &p->build_fd);
        if (r < 0)
                return fail(ret_error, r, "bind-mounting the build directory %s", spec->build_dir);

        /* In memory: the root. */
        r = detached_tmpfs(&p->root_fd);
        if (r < 0)
                return fail(ret_error, r, "creating a tmpfs for the sandbox root");
        int rootfd = p->root_fd;
        r = mkdir_p(rootfd, store_rel, 0755);
        if (r < 0)
                return fail(ret_error, r, "creating %s in the sandbox root", spec->store_dir);
        _cleanup_close_ int lowerfd = openat(rootfd, store_rel, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (lowerfd < 0)
                return fail(ret_error, -errno, "opening %s in the sandbox root", spec->store_dir);
        r = plan_inputs(p, lowerfd, true, ret_error);
        if (r < 0)
                return r;

        if (mkdirat(rootfd, "build", 0755) < 0 || mkdirat(rootfd, "proc", 0555) < 0 ||
            mkdirat(rootfd, "tmp", 0755) < 0)
                return fail(ret_error, -errno, "creating /build, /proc and /tmp in the sandbox root");

        /* /dev: mount points for the host's device nodes; pts, shm. */
        if (mkdirat(rootfd, "dev", 0755) < 0)
                return fail(ret_error, -errno, "creating /dev in the sandbox root");
        _cleanup_close_ int devfd = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (devfd < 0)
                return fail(ret_error, -errno, "opening /dev in the sandbox root");
        for (size_t i = 0; i < ELEMENTSOF(device_nodes); i++) {
                if (mknodat(devfd, device_nodes[i], S_IFREG | 0444, 0) < 0)
                        return fail(ret_error, -errno, "creating /dev/%s in the sandbox root", device_nodes[i]);
                plan_add_bind(p, xasprintf("/dev/%s", device_nodes[i]), xasprintf("dev/%s", device_nodes[i]),
                              BIND_DEVICE);
        }
        if (mkdirat(devfd, "pts", 0755) < 0 || mkdirat(devfd, "shm", 01777) < 0 ||
            symlinkat("pts/ptmx", devfd, "ptmx") < 0 || symlinkat("/proc/self/fd", devfd, "fd") < 0 ||
            symlinkat("/proc/self/fd/0", devfd, "stdin") < 0 || symlinkat("/proc/self/fd/1", devfd, "stdout") < 0 ||
            symlinkat("/proc/self/fd/2", devfd, "stderr") < 0)
                return fail(ret_error, -errno, "populating /dev in the sandbox root");

        /* /etc. */
        if (mkdirat(rootfd, "etc", 0755) < 0)
                return fail(ret_error, -errno, "creating /etc in the sandbox root");
        _cleanup_close_ int etcfd = openat(rootfd, "etc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (etcfd < 0)
                return fail(ret_error, -errno, "opening /etc in the sandbox root");
        bool host_hosts = false;
        if (spec->network) {
                /* Fixed-output derivations resolve names as the host does. */
                if ((r = plan_host_etc_file(p, etcfd, "resolv.conf")) < 0 ||
                    (r = plan_host_etc_file(p, etcfd, "services")) < 0 ||
                    (r = plan_host_etc_file(p, etcfd, "hosts")) < 0)
                        return fail(ret_error, r, "creating the mount points of the host's /etc files");
                host_hosts = r > 0;
        }
        if ((r = write_small_file(etcfd, "passwd", etc_passwd)) < 0 ||
            (r = write_small_file(etcfd, "group", etc_group)) < 0 ||
            (!host_hosts && (r = write_small_file(etcfd, "hosts", etc_hosts)) < 0))
                return fail(ret_error, r, "writing /etc/passwd, /etc/group and /etc/hosts in the sandbox root");

        /* The FHS view: symlinks into fhs_root. */
        if (spec->fhs_root) {
                bool found = false;
                for (const char *const *i = spec->inputs; i && *i && !found; i++)
                        found = strcmp(*i, spec->fhs_root) == 0;
                if (!found)
                        return fail(ret_error, -EINVAL, "the FHS root '%s' is not among the inputs", spec->fhs_root);
                const char *base = store_base(spec->store_dir, spec->fhs_root);
                for (size_t i = 0; i < ELEMENTSOF(fhs_dirs); i++) {
                        _cleanup_free_ char *host = xasprintf("%s/%s/%s", p->real_store, base, fhs_dirs[i]);
                        struct stat st;
                        if (lstat(host, &st) < 0)
                                continue;
                        _cleanup_free_ char *target = xasprintf("%s/%s", spec->fhs_root, fhs_dirs[i]);
                        if (symlinkat(target, rootfd, fhs_dirs[i]) < 0)
                                return fail(ret_error, -errno, "linking /%s to %s", fhs_dirs[i], target);
                }
        }

        /* Sandbox paths last: they may extend or shadow what is above. */
        _cleanup_close_ int tmpfd = openat(diskfd, "tmp", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tmpfd < 0)
                return fail(ret_error, -errno, "opening tmp in %s", p->root);
        RootDirs dirs = { .rootfd = rootfd, .tmpfd = tmpfd, .storefd = lowerfd, .store_rel = store_rel };
        for (const char *const *i = spec->sandbox_paths; i && *i; i++) {
                r = plan_sandbox_path(p, &dirs, *i, 0, ret_error);
                if (r < 0)
                        return r;
        }

        /* Nothing writes the root from now on, the builder least of all.
         * EBUSY: a sandbox child of another thread, cloned while we had a
         * file of this root open for writing, has not dropped its copy yet
         * (it does first thing). */
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        for (unsigned tries = 0;; tries++) {
                if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &ro, sizeof ro) >= 0)
                        break;
                if (errno != EBUSY || tries >= 1000)
                        return fail(ret_error, -errno, "making the sandbox root read-only");
                (void) nanosleep(&(struct timespec) { .tv_nsec = 100000 }, NULL);
        }

        /* The store: the overlay, or else the disk directory itself with
         * the mount points made in it. */
        r = -EOPNOTSUPP;
        if (overlay_wanted()) {
                if (mkdirat(diskfd, "overlay-work", 0700) < 0)
                        return fail(ret_error, -errno, "creating overlay-work in %s", p->root);
                _cleanup_free_ char *work = xasprintf("%s/overlay-work", p->root);
                r = detached_overlay(rootfd, store_rel, upper, work, &p->store_fd);
        }
        if (r < 0) {
                r = plan_inputs(p, upperfd, false, ret_error);
                if (r < 0)
                        return r;
                dirs.storefd = upperfd;
                for (const char *const *i = spec->sandbox_paths; i && *i; i++) {
                        r = plan_sandbox_path(p, &dirs, *i, 1, ret_error);
                        if (r < 0)
                                return r;
                }
                r = detached_bind(upper, &p->store_fd);
                if (r < 0)
                        return fail(ret_error, r, "bind-mounting %s", upper);
        }
        return 0;
}

/* ---- the parent: running ---------------------------------------------- */

/* The child's stack: what it does (mounts, a vsnprintf) needs little. */
#define CHILD_STACK_SIZE (256u * 1024u)

static void stack_unmapp(void **stack) {
        if (*stack)
                munmap(*stack, CHILD_STACK_SIZE);
}

/* A caller that runs with stdin, stdout or stderr closed gets its pipes
 * there; the child's dup2s onto 0, 1 and 2 would then clobber them. */
static int fd_above_stdio(int *fd) {
        if (*fd > STDERR_FILENO)
                return 0;
        int moved = fcntl(*fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        if (moved < 0)
                return -errno;
        close(*fd);
        *fd = moved;
        return 0;
}

static int write_proc_file(pid_t pid, const char *name, const char *content) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/%s", (int) pid, name);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t len = strlen(content);
        ssize_t n = write(fd, content, len);
        if (n < 0)
                return -errno;
        return (size_t) n == len ? 0 : -EIO;
}

static int write_id_maps(pid_t pid, uid_t uid, gid_t gid, char **ret_error) {
        char map[64];
        snprintf(map, sizeof map, "%d %u 1\n", SANDBOX_BUILD_UID, (unsigned) uid);
        int r = write_proc_file(pid, "uid_map", map);
        if (r < 0)
                return fail(ret_error, r, "writing the sandbox's uid_map");
        snprintf(map, sizeof map, "%d %u 1\n", SANDBOX_BUILD_GID, (unsigned) gid);
        /* Leaving setgroups allowed (we are privileged) lets the child drop
         * the caller's supplementary groups; without the privilege, deny
         * it, as the kernel then requires. */
        r = write_proc_file(pid, "gid_map", map);
        if (r == -EPERM) {
                r = write_proc_file(pid, "setgroups", "deny");
                if (r >= 0)
                        r = write_proc_file(pid, "gid_map", map);
        }
        if (r < 0)
                return fail(ret_error, r, "writing the sandbox's gid_map");
        return 0;
}

static void log_copy(int fd, const char *data, size_t len) {
        while (fd >= 0 && len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return; /* the log is gone; keep draining the builder */
                }
                data += n;
                len -= (size_t) n;
        }
}

/* Copies the builder's output until it exits, killing it at the
 * deadlines. */
static int supervise(const SandboxSpec *spec, pid_t pid, int pidfd, int log_read, uint64_t start,
                     SandboxResult *res, char **ret_error) {
        char buf[65536];
        bool log_open = true, exited = false;
        uint64_t last_output = now_usec();
        uint64_t deadline = spec->timeout ? start + (uint64_t) spec->timeout * 1000000u : 0;

        while (!exited) {
                uint64_t now = now_usec();
                uint64_t silent_deadline =
                        spec->max_silent_time ? last_output + (uint64_t) spec->max_silent_time * 1000000u : 0;
                if (!res->timed_out && ((deadline && now >= deadline) || (silent_deadline && now >= silent_deadline))) {
                        res->timed_out = true;
                        res->silent = !(deadline && now >= deadline);
                        (void) kill(pid, SIGKILL); /* PID 1: the whole namespace goes */
                }
                int wait_ms = -1;
                if (!res->timed_out) {
                        uint64_t next = deadline;
                        if (silent_deadline && (!next || silent_deadline < next))
                                next = silent_deadline;
                        if (next)
                                wait_ms = (int) ((next - now + 999) / 1000);
                }

                struct pollfd pfds[2] = {
                        { .fd = pidfd, .events = POLLIN },
                        { .fd = log_open ? log_read : -1, .events = POLLIN },
                };
                int n = poll(pfds, 2, wait_ms);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return fail(ret_error, -errno, "waiting for the builder");
                }
                if (pfds[1].revents) {
                        ssize_t got = read(log_read, buf, sizeof buf);
                        if (got > 0) {
                                log_copy(spec->log_fd, buf, (size_t) got);
                                last_output = now_usec();
                        } else if (got == 0 || (errno != EINTR && errno != EAGAIN))
                                log_open = false;
                }
                if (pfds[0].revents)
                        exited = true;
        }

        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return fail(ret_error, -errno, "reaping the builder");

        /* Everything in the namespace is dead by now: what is in the pipe
         * is all there will be. */
        if (log_open && fcntl(log_read, F_SETFL, O_NONBLOCK) >= 0)
                for (;;) {
                        ssize_t got = read(log_read, buf, sizeof buf);
                        if (got < 0 && errno == EINTR)
                                continue;
                        if (got <= 0)
                                break;
                        log_copy(spec->log_fd, buf, (size_t) got);
                }
        res->exit_status = status;
        return 0;
}

static int spec_check(const SandboxSpec *spec, char **ret_error) {
        if (!spec->store_dir || spec->store_dir[0] != '/' || !spec->store_dir[1] ||
            spec->store_dir[strlen(spec->store_dir) - 1] == '/')
                return fail(ret_error, -EINVAL, "the store directory must be an absolute path");
        if (!spec->chroot_dir || !spec->build_dir || !spec->builder || !spec->env)
                return fail(ret_error, -EINVAL, "the sandbox needs a chroot directory, a build directory, a builder and an environment");
        if (spec->store_root && spec->store_root[0] && spec->store_root[0] != '/')
                return fail(ret_error, -EINVAL, "the store root '%s' is not absolute", spec->store_root);
        if (spec->host_uid == 0 || spec->host_gid == 0)
                return fail(ret_error, -EINVAL, "the build user must not map to root on the host");
        return 0;
}

int sandbox_run(const SandboxSpec *spec, SandboxResult *ret, char **ret_error) {
        uint64_t start = now_usec();
        int r;

        *ret_error = NULL;
        r = spec_check(spec, ret_error);
        if (r < 0)
                return r;

        pthread_once(&filter_once, filter_compile);
        if (filter_error < 0)
                return fail(ret_error, filter_error, "%s", filter_step);

        _cleanup_(plan_free) Plan plan = {
                .spec = spec,
                .filter = &filter_prog,
                .root_fd = -EBADF,
                .store_fd = -EBADF,
                .tmp_fd = -EBADF,
                .build_fd = -EBADF,
        };
        plan.root = path_absolute(spec->chroot_dir);
        if (!plan.root)
                return fail(ret_error, -errno, "making %s absolute", spec->chroot_dir);
        plan.real_store = xasprintf("%s%s", spec->store_root ? spec->store_root : "", spec->store_dir);

        size_t n_args = 0;
        for (const char *const *a = spec->args; a && *a; a++)
                n_args++;
        plan.argv = xcalloc(n_args + 2, sizeof(char *));
        const char *slash = strrchr(spec->builder, '/');
        plan.argv[0] = (char *) (slash ? slash + 1 : spec->builder);
        for (size_t i = 0; i < n_args; i++)
                plan.argv[i + 1] = (char *) spec->args[i];

        r = plan_prepare(&plan, ret_error);
        if (r < 0)
                return r;

        int sync_pipe[2], error_pipe[2], log_pipe[2];
        /* A socket, so that a dead child cannot SIGPIPE the caller. */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync_pipe) < 0)
                return fail(ret_error, -errno, "creating a socket pair");
        _cleanup_close_ int sync_read = sync_pipe[0], sync_write = sync_pipe[1];
        if (pipe2(error_pipe, O_CLOEXEC) < 0)
                return fail(ret_error, -errno, "creating a pipe");
        _cleanup_close_ int error_read = error_pipe[0], error_write = error_pipe[1];
        if (pipe2(log_pipe, O_CLOEXEC) < 0)
                return fail(ret_error, -errno, "creating a pipe");
        _cleanup_close_ int log_read = log_pipe[0], log_write = log_pipe[1];
        if ((r = fd_above_stdio(&sync_read)) < 0 || (r = fd_above_stdio(&error_write)) < 0 ||
            (r = fd_above_stdio(&log_write)) < 0)
                return fail(ret_error, r, "moving a pipe above the standard descriptors");
        plan.sync_fd = sync_read;
        plan.error_fd = error_write;
        plan.log_fd = log_write;

        /* The child shares our memory until it execs (as posix_spawn's
         * does): no page tables to copy now and none to tear down at the
         * execve, which for a big caller (an evaluator's heap) is most of
         * the cost of a fork. It runs on its own stack, with every signal
         * blocked until it has reset their dispositions (our handlers must
         * not run in it). */
        int flags = CLONE_VM | CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                    CLONE_PIDFD | (spec->network ? 0 : CLONE_NEWNET);
        void *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (stack == MAP_FAILED)
                return fail(ret_error, -errno, "allocating the sandbox's stack");
        _cleanup_(stack_unmapp) void *stack_guard = stack;
        sigset_t all, saved_mask;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved_mask);
        int pidfd_raw = -1;
        pid_t pid = clone(child_entry, (char *) stack + CHILD_STACK_SIZE, flags | SIGCHLD, &plan, &pidfd_raw);
        int clone_errno = errno;
        pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
        if (pid < 0)
                return fail(ret_error, -clone_errno, "creating the sandbox's namespaces (clone)");
        _cleanup_close_ int pidfd = pidfd_raw;
        close(TAKE_FD(sync_read));
        close(TAKE_FD(error_write));
        close(TAKE_FD(log_write));

        r = write_id_maps(pid, spec->host_uid, spec->host_gid, ret_error);
        if (r < 0)
                (void) kill(pid, SIGKILL); /* it would wait for the maps forever */
        else if (send(sync_write, "x", 1, MSG_NOSIGNAL) != 1)
                r = fail(ret_error, -errno, "starting the sandbox");
        close(TAKE_FD(sync_write));

        /* EOF at the builder's execve, or a ChildError (which explains a
         * failed send above better than EPIPE does). */
        ChildError child_error;
        ssize_t n = fd_read_full(error_read, &child_error, sizeof child_error);
        uint64_t exec_time = now_usec();
        /* The child attached the detached mounts (or is gone): our
         * references would only keep them alive after its namespace. */
        close(TAKE_FD(plan.root_fd));
        close(TAKE_FD(plan.store_fd));
        close(TAKE_FD(plan.tmp_fd));
        close(TAKE_FD(plan.build_fd));
        if (r < 0 || n != 0) {
                if (n == (ssize_t) sizeof child_error) {
                        free(*ret_error);
                        child_error.message[sizeof child_error.message - 1] = '\0';
                        r = fail(ret_error, child_error.error > 0 ? -child_error.error : -EIO, "%s",
                                 child_error.message);
                } else if (r >= 0)
                        r = fail(ret_error, n < 0 ? (int) n : -EIO, "reading the sandbox's setup status");
                (void) kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return r;
        }

        SandboxResult res = { .setup_usec = exec_time - start };
        r = supervise(spec, pid, pidfd, log_read, start, &res, ret_error);
        if (r < 0) {
                (void) kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return r;
        }
        *ret = res;
        return 0;
}
