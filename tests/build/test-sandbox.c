/* The build sandbox (sandbox.c), wall by wall, each with a positive
 * control: the same builder without the offending step succeeds.
 *
 * A private store root in a temporary directory holds a few fake inputs;
 * builders are the host's bash and coreutils, reached through
 * sandbox_paths = /bin /lib /lib64 /usr (Debian's merged /usr). Needs root
 * and user namespaces; skipped otherwise (exit 77). Prints the median
 * set-up time of 20 trivial builds. Run as `test-sandbox --helper DIR`, the
 * binary is itself a builder that tries the system calls the seccomp
 * filter refuses. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cleanup.h"
#include "fileio.h"
#include "sandbox.h"
#include "strbuf.h"
#include "xalloc.h"

#define HOST_UID 30001
#define HOST_GID 30001

/* Valid-looking store paths (32 Nix base32 characters, then a name). */
#define IN_DIR "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-input-dir"
#define IN_FILE "/nix/store/1123456789abcdfghijklmnpqrsvwxyz-input-file"
#define IN_LINK "/nix/store/2123456789abcdfghijklmnpqrsvwxyz-input-link"
#define IN_FHS "/nix/store/3123456789abcdfghijklmnpqrsvwxyz-fhs"
#define OUT "/nix/store/4123456789abcdfghijklmnpqrsvwxyz-out"
#define NOT_AN_INPUT "/nix/store/5123456789abcdfghijklmnpqrsvwxyz-not-an-input"

static char root[64];
static unsigned counter;

static const char *const host_paths[] = { "/bin", "/lib", "/lib64", "/usr", NULL };
static const char *const inputs[] = { IN_DIR, IN_FILE, IN_LINK, NULL };

static const char *const base_env[] = {
        "PATH=/usr/bin:/bin",
        "HOME=/homeless-shelter",
        "NIX_BUILD_TOP=/build",
        "TMPDIR=/build",
        "TMP=/build",
        "TEMP=/build",
        "TEMPDIR=/build",
        "NIX_STORE=/nix/store",
        "out=" OUT,
        NULL,
};

/* ---- fixture ---- */

static void write_file(const char *path, const char *data, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        assert_int_equal(fd_write_all(fd, data, strlen(data)), 0);
        assert_int_equal(fchmod(fd, mode), 0);
        close(fd);
}

static char *rootpath(const char *fmt, ...) _printf_(1, 2);
static char *rootpath(const char *fmt, ...) {
        StrBuf sb = STRBUF_INIT;
        strbuf_adds(&sb, root);
        va_list ap;
        va_start(ap, fmt);
        strbuf_vaddf(&sb, fmt, ap);
        va_end(ap);
        return strbuf_detach(&sb, NULL);
}

static void copy_file(const char *from, const char *to) {
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(read_file(AT_FDCWD, from, 64 << 20, &data, &len), 0);
        int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        assert_true(fd >= 0);
        assert_int_equal(fd_write_all(fd, data, len), 0);
        close(fd);
        free(data);
}

/* An FHS tree the Debian way: usr/bin, usr/lib/x86_64-linux-gnu,
 * usr/lib64, and the merged-/usr links bin, lib, lib64. It holds dash and
 * the two libraries it needs, so a builder can run with no host paths. */
static void make_fhs_input(void) {
        const char *dirs[] = { "", "/usr", "/usr/bin", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *d = rootpath(IN_FHS "%s", dirs[i]);
                assert_int_equal(mkdir(d, 0755), 0);
        }
        _cleanup_free_ char *sh = rootpath(IN_FHS "/usr/bin/sh");
        copy_file("/bin/dash", sh);
        _cleanup_free_ char *libc = rootpath(IN_FHS "/usr/lib/x86_64-linux-gnu/libc.so.6");
        copy_file("/lib/x86_64-linux-gnu/libc.so.6", libc);
        _cleanup_free_ char *ld = rootpath(IN_FHS "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        copy_file("/lib64/ld-linux-x86-64.so.2", ld);
        _cleanup_free_ char *ld64 = rootpath(IN_FHS "/usr/lib64/ld-linux-x86-64.so.2");
        assert_int_equal(symlink("../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", ld64), 0);
        const char *links[][2] = { { "bin", "usr/bin" }, { "lib", "usr/lib" }, { "lib64", "usr/lib64" } };
        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                _cleanup_free_ char *l = rootpath(IN_FHS "/%s", links[i][0]);
                assert_int_equal(symlink(links[i][1], l), 0);
        }
}

static bool userns_works(void) {
        pid_t pid = fork();
        if (pid == 0)
                _exit(unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET) < 0 ? 1 : 0);
        int status;
        return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int group_setup(void **state) {
        strcpy(root, "/tmp/firn-test-sandbox-XXXXXX");
        assert_non_null(mkdtemp(root));
        _cleanup_free_ char *store = rootpath("/nix/store");
        assert_int_equal(mkdir_p(AT_FDCWD, store, 0755), 0);

        /* World-writable on the host: only the read-only bind stops a write. */
        _cleanup_free_ char *dir = rootpath(IN_DIR);
        assert_int_equal(mkdir(dir, 0777), 0);
        assert_int_equal(chmod(dir, 0777), 0);
        _cleanup_free_ char *data = rootpath(IN_DIR "/data");
        write_file(data, "hello from the input\n", 0666);

        _cleanup_free_ char *file = rootpath(IN_FILE);
        write_file(file, "a text input\n", 0444);
        _cleanup_free_ char *link = rootpath(IN_LINK);
        assert_int_equal(symlink(IN_DIR "/data", link), 0);
        make_fhs_input();
        return 0;
}

static int group_teardown(void **state) {
        if (root[0])
                rm_rf(AT_FDCWD, root, NULL);
        return 0;
}

/* ---- running builders ---- */

typedef struct Run {
        int r;
        SandboxResult res;
        char *error;
        char *log;
        char *chroot;     /* host path of the sandbox's root */
        char *out;        /* host path of $out */
        uint64_t elapsed_usec;
} Run;

static void run_free(Run *run) {
        free(run->error);
        free(run->log);
        free(run->chroot);
        free(run->out);
}
#define _cleanup_run_ _cleanup_(run_free)

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Runs spec (chroot_dir, build_dir, log_fd filled in here) and captures
 * the log. */
static void run_spec(Run *run, SandboxSpec *spec) {
        unsigned n = __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
        run->chroot = rootpath("/chroot-%u", n);
        run->out = rootpath("/chroot-%u" OUT, n);
        _cleanup_free_ char *build = rootpath("/build-%u", n);
        assert_int_equal(mkdir(build, 0700), 0);
        int log = memfd_create("log", MFD_CLOEXEC);
        assert_true(log >= 0);

        spec->store_root = root;
        spec->store_dir = "/nix/store";
        spec->chroot_dir = run->chroot;
        spec->build_dir = build;
        spec->log_fd = log;
        spec->host_uid = HOST_UID;
        spec->host_gid = HOST_GID;
        if (!spec->env)
                spec->env = base_env;

        uint64_t t0 = now_usec();
        run->r = sandbox_run(spec, &run->res, &run->error);
        run->elapsed_usec = now_usec() - t0;

        off_t size = lseek(log, 0, SEEK_END);
        run->log = xcalloc(1, (size_t) size + 1);
        assert_int_equal(pread(log, run->log, (size_t) size, 0), size);
        close(log);
}

static bool exited_ok(const Run *run) {
        return run->r == 0 && WIFEXITED(run->res.exit_status) && WEXITSTATUS(run->res.exit_status) == 0;
}

static bool exited_failed(const Run *run) {
        return run->r == 0 && WIFEXITED(run->res.exit_status) && WEXITSTATUS(run->res.exit_status) != 0;
}

static void print_run(const char *what, const Run *run) {
        print_message("[%s] r=%d status=%#x timed_out=%d error=%s\n--- log ---\n%s-----------\n", what, run->r,
                      run->res.exit_status, run->res.timed_out, run->error ? run->error : "(none)", run->log);
}

/* bash -c script with the host's /bin, /lib, /lib64, /usr. */
static void run_sh(Run *run, const char *script, bool network) {
        const char *args[] = { "-c", script, NULL };
        SandboxSpec spec = {
                .inputs = inputs,
                .builder = "/bin/bash",
                .args = args,
                .sandbox_paths = host_paths,
                .network = network,
        };
        run_spec(run, &spec);
}

static bool contains(const char *haystack, const char *needle) {
        return haystack && strstr(haystack, needle) != NULL;
}

/* ---- (1) network ---- */

static void test_network(void **state) {
        int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(lfd >= 0);
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        assert_int_equal(bind(lfd, (struct sockaddr *) &addr, sizeof addr), 0);
        assert_int_equal(listen(lfd, 16), 0);
        socklen_t len = sizeof addr;
        assert_int_equal(getsockname(lfd, (struct sockaddr *) &addr, &len), 0);
        char script[256];
        snprintf(script, sizeof script, "exec 3<>/dev/tcp/127.0.0.1/%d && echo connected", ntohs(addr.sin_port));

        /* The wall: the host's listener is out of reach. */
        _cleanup_run_ Run blocked = {};
        run_sh(&blocked, script, false);
        print_run("network, sandboxed", &blocked);
        assert_true(exited_failed(&blocked));
        assert_false(contains(blocked.log, "connected\n"));

        /* The control: a fixed-output derivation's builder reaches it. */
        _cleanup_run_ Run allowed = {};
        run_sh(&allowed, script, true);
        print_run("network, shared", &allowed);
        assert_true(exited_ok(&allowed));
        assert_true(contains(allowed.log, "connected\n"));
        close(lfd);

        /* Only a loopback interface, and it is up: a connection to a port
         * nobody listens on is refused, not unreachable. */
        _cleanup_run_ Run ifaces = {};
        run_sh(&ifaces,
               "echo \"ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')\"; "
               "exec 3<>/dev/tcp/127.0.0.1/1; true",
               false);
        print_run("interfaces", &ifaces);
        assert_true(exited_ok(&ifaces));
        assert_true(contains(ifaces.log, "ifaces=lo \n"));
        assert_true(contains(ifaces.log, "Connection refused"));
}

/* ---- (2) the host's files ---- */

static void test_host_files(void **state) {
        _cleanup_run_ Run shadow = {};
        run_sh(&shadow, "cat /etc/shadow", false);
        print_run("/etc/shadow", &shadow);
        assert_true(exited_failed(&shadow));
        assert_true(contains(shadow.log, "No such file or directory"));

        _cleanup_run_ Run root_dir = {};
        run_sh(&root_dir, "ls /root", false);
        assert_true(exited_failed(&root_dir));
        assert_true(contains(root_dir.log, "No such file or directory"));

        /* Control: the sandbox's own /etc/passwd reads fine, and it is not
         * the host's. */
        _cleanup_run_ Run passwd = {};
        run_sh(&passwd, "cat /etc/passwd /etc/group /etc/hosts", false);
        print_run("/etc/passwd", &passwd);
        assert_true(exited_ok(&passwd));
        assert_true(contains(passwd.log, "nixbld:x:1000:1000:Nix build user:/build:/noshell\n"));
        assert_true(contains(passwd.log, "nixbld:!:1000:\n"));
        assert_true(contains(passwd.log, "127.0.0.1 localhost\n"));
        assert_false(contains(passwd.log, "root:x:0:0:root:"));
}

/* ---- (3) inputs are read-only ---- */

static void test_inputs_read_only(void **state) {
        _cleanup_run_ Run wall = {};
        run_sh(&wall, "cat " IN_DIR "/data && echo changed > " IN_DIR "/data", false);
        print_run("write into an input", &wall);
        assert_true(exited_failed(&wall));
        assert_true(contains(wall.log, "hello from the input\n"));
        assert_true(contains(wall.log, "Read-only file system"));

        _cleanup_run_ Run create = {};
        run_sh(&create, "touch " IN_DIR "/new", false);
        assert_true(exited_failed(&create));
        _cleanup_run_ Run remove = {};
        run_sh(&remove, "rm " IN_DIR "/data", false);
        assert_true(exited_failed(&remove));

        _cleanup_free_ char *data_path = rootpath(IN_DIR "/data");
        _cleanup_free_ char *data = NULL;
        assert_int_equal(read_file(AT_FDCWD, data_path, 4096, &data, NULL), 0);
        assert_string_equal(data, "hello from the input\n");
        _cleanup_free_ char *new_path = rootpath(IN_DIR "/new");
        assert_int_equal(access(new_path, F_OK), -1);

        /* Control: the same write into $out. */
        _cleanup_run_ Run control = {};
        run_sh(&control, "cat " IN_DIR "/data && echo changed > $out", false);
        print_run("write into $out", &control);
        assert_true(exited_ok(&control));
        _cleanup_free_ char *out = NULL;
        assert_int_equal(read_file(AT_FDCWD, control.out, 4096, &out, NULL), 0);
        assert_string_equal(out, "changed\n");
        struct stat st;
        assert_int_equal(stat(control.out, &st), 0);
        assert_int_equal(st.st_uid, HOST_UID);
        assert_int_equal(st.st_gid, HOST_GID);
}

/* ---- (4) no setuid or setgid bits ---- */

static void test_setuid(void **state) {
        _cleanup_run_ Run suid = {};
        run_sh(&suid, "mkdir $out && echo x > $out/x && chmod 4755 $out/x", false);
        print_run("chmod 4755", &suid);
        assert_true(exited_failed(&suid));
        assert_true(contains(suid.log, "Operation not permitted"));
        _cleanup_free_ char *x = xasprintf("%s/x", suid.out);
        struct stat st;
        assert_int_equal(stat(x, &st), 0);
        assert_int_equal(st.st_mode & (S_ISUID | S_ISGID), 0);

        _cleanup_run_ Run sgid = {};
        run_sh(&sgid, "mkdir $out && echo x > $out/x && chmod g+s $out/x", false);
        assert_true(exited_failed(&sgid));
        _cleanup_run_ Run sgid_dir = {};
        run_sh(&sgid_dir, "mkdir $out && chmod 2755 $out", false);
        assert_true(exited_failed(&sgid_dir));

        /* Control. */
        _cleanup_run_ Run plain = {};
        run_sh(&plain, "mkdir $out && echo x > $out/x && chmod 755 $out/x", false);
        print_run("chmod 755", &plain);
        assert_true(exited_ok(&plain));
        _cleanup_free_ char *y = xasprintf("%s/x", plain.out);
        assert_int_equal(stat(y, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
}

/* ---- (4b) the seccomp filter, system call by system call ---- */

#if defined(__x86_64__)
static sigjmp_buf no_int80;

static void on_sigsegv(int sig) {
        siglongjmp(no_int80, 1);
}
#endif

/* chmod through the i386 entry point (int 0x80), which a filter for the
 * native architecture alone would miss. The path must lie below 4 GiB.
 * Without IA32 emulation, int 0x80 raises SIGSEGV: -ENOSYS then. */
static long chmod_i386(const char *path, unsigned mode) {
#if defined(__x86_64__)
        char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
        if (low == MAP_FAILED)
                return -errno;
        snprintf(low, 4096, "%s", path);
        struct sigaction sa = { .sa_handler = on_sigsegv }, old;
        sigaction(SIGSEGV, &sa, &old);
        volatile long ret = -ENOSYS;
        if (sigsetjmp(no_int80, 1) == 0) {
                long r;
                __asm__ volatile("int $0x80" : "=a"(r) : "a"(15L /* i386 chmod */), "b"(low), "c"((long) mode) : "memory");
                ret = r;
        }
        sigaction(SIGSEGV, &old, NULL);
        munmap(low, 4096);
        return ret;
#else
        return -ENOSYS;
#endif
}

static void helper_report(const char *what, long r) {
        int e = r < 0 ? (r == -1 ? errno : (int) -r) : 0;
        printf("%s: %s\n", what, e ? strerror(e) : "ok");
}

/* Run inside the sandbox as the builder: `test-sandbox --helper DIR`. */
static int helper_main(const char *dir) {
        setvbuf(stdout, NULL, _IONBF, 0);
        if (mkdir(dir, 0755) < 0)
                return 2;
        char f[4096];
        snprintf(f, sizeof f, "%s/f", dir);
        int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return 3;
        helper_report("chmod 4755", chmod(f, 04755));
        helper_report("chmod 2755", chmod(f, 02755));
        helper_report("fchmod 4755", fchmod(fd, 04755));
        helper_report("fchmodat 6755", fchmodat(AT_FDCWD, f, 06755, 0));
        helper_report("fchmodat2 4755", syscall(452, AT_FDCWD, f, 04755, 0));
        helper_report("i386 chmod 4755", chmod_i386(f, 04755));
        helper_report("setxattr", setxattr(f, "user.firn", "1", 1, 0));
        helper_report("lsetxattr", lsetxattr(f, "user.firn", "1", 1, 0));
        helper_report("fsetxattr", fsetxattr(fd, "user.firn", "1", 1, 0));
        /* Controls: the same calls without the special bits. */
        helper_report("chmod 0700", chmod(f, 0700));
        helper_report("fchmod 0711", fchmod(fd, 0711));
        helper_report("fchmodat 0750", fchmodat(AT_FDCWD, f, 0750, 0));
        helper_report("fchmodat2 0751", syscall(452, AT_FDCWD, f, 0751, 0));
        helper_report("i386 chmod 0755", chmod_i386(f, 0755));
        struct stat st;
        if (fstat(fd, &st) == 0)
                printf("mode: %04o\n", (unsigned) (st.st_mode & 07777));
        return 0;
}

static void test_syscall_filter(void **state) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        assert_true(n > 0);
        self[n] = '\0';
        _cleanup_free_ char *dir = xstrdup(self);
        *strrchr(dir, '/') = '\0';
        const char *paths[] = { "/bin", "/lib", "/lib64", "/usr", dir, NULL };
        const char *args[] = { "--helper", OUT, NULL };
        SandboxSpec spec = { .inputs = inputs, .builder = self, .args = args, .sandbox_paths = paths };
        _cleanup_run_ Run run = {};
        run_spec(&run, &spec);
        print_run("syscall filter", &run);
        assert_true(exited_ok(&run));
        assert_true(contains(run.log, "chmod 4755: Operation not permitted\n"
                                      "chmod 2755: Operation not permitted\n"
                                      "fchmod 4755: Operation not permitted\n"
                                      "fchmodat 6755: Operation not permitted\n"));
        /* fchmodat2 is Linux 6.6; the i386 entry needs IA32 emulation. */
        assert_true(contains(run.log, "fchmodat2 4755: Operation not permitted\n") ||
                    contains(run.log, "fchmodat2 0751: Function not implemented\n"));
        assert_true(contains(run.log, "i386 chmod 4755: Operation not permitted\n") ||
                    contains(run.log, "i386 chmod 0755: Function not implemented\n"));
        assert_true(contains(run.log, "setxattr: Operation not supported\n"
                                      "lsetxattr: Operation not supported\n"
                                      "fsetxattr: Operation not supported\n"));
        assert_true(contains(run.log, "chmod 0700: ok\nfchmod 0711: ok\nfchmodat 0750: ok\n"));
        assert_false(contains(run.log, "4755: ok"));
        _cleanup_free_ char *f = xasprintf("%s/f", run.out);
        struct stat st;
        assert_int_equal(stat(f, &st), 0);
        assert_int_equal(st.st_mode & (S_ISUID | S_ISGID), 0);
}

/* ---- (5) nothing outlives the build ---- */

/* Is a process "sleep ARG" running anywhere on the host? */
static bool sleep_running(const char *arg) {
        DIR *d = opendir("/proc");
        assert_non_null(d);
        bool found = false;
        struct dirent *de;
        while (!found && (de = readdir(d))) {
                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                char path[300], cmd[256] = {};
                snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t n = read(fd, cmd, sizeof cmd - 1);
                close(fd);
                if (n <= 0)
                        continue;
                const char *base = strrchr(cmd, '/');
                base = base ? base + 1 : cmd;
                size_t len = strlen(cmd);
                /* Skip zombies: their cmdline is empty (n > 0 above). */
                if (strcmp(base, "sleep") == 0 && (ssize_t) len + 1 < n && strcmp(cmd + len + 1, arg) == 0)
                        found = true;
        }
        closedir(d);
        return found;
}

static void test_background_process(void **state) {
        /* Control for the detector: a sleep started on the host is seen. */
        pid_t pid = fork();
        if (pid == 0) {
                execl("/bin/sleep", "sleep", "987653", (char *) NULL);
                _exit(127);
        }
        assert_true(pid > 0);
        bool seen = false;
        for (int i = 0; i < 200 && !seen; i++) {
                seen = sleep_running("987653");
                if (!seen)
                        usleep(10000);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        assert_true(seen);

        /* The wall: a daemon left behind (holding the log open, too) dies
         * with the builder, and the build returns at once. */
        _cleanup_run_ Run run = {};
        run_sh(&run, "sleep 987654 & setsid sleep 987654 & echo started; exit 0", false);
        print_run("background process", &run);
        assert_true(exited_ok(&run));
        assert_true(contains(run.log, "started\n"));
        assert_true(run.elapsed_usec < 5000000);
        assert_false(sleep_running("987654"));

        /* Control: the builder without the background step. */
        _cleanup_run_ Run control = {};
        run_sh(&control, "echo started; exit 0", false);
        assert_true(exited_ok(&control));
}

/* ---- (6) timeout and max-silent-time ---- */

static void test_timeouts(void **state) {
        const char *args[] = { "-c", "echo begin; sleep 30", NULL };
        SandboxSpec spec = {
                .inputs = inputs, .builder = "/bin/bash", .args = args, .sandbox_paths = host_paths,
                .timeout = 1,
        };
        _cleanup_run_ Run timeout = {};
        run_spec(&timeout, &spec);
        print_run("timeout", &timeout);
        assert_int_equal(timeout.r, 0);
        assert_true(timeout.res.timed_out);
        assert_false(timeout.res.silent);
        assert_true(WIFSIGNALED(timeout.res.exit_status));
        assert_int_equal(WTERMSIG(timeout.res.exit_status), SIGKILL);
        assert_true(timeout.elapsed_usec >= 900000 && timeout.elapsed_usec < 5000000);

        SandboxSpec silent_spec = {
                .inputs = inputs, .builder = "/bin/bash", .args = args, .sandbox_paths = host_paths,
                .timeout = 20, .max_silent_time = 1,
        };
        _cleanup_run_ Run silent = {};
        run_spec(&silent, &silent_spec);
        print_run("max-silent-time", &silent);
        assert_int_equal(silent.r, 0);
        assert_true(silent.res.timed_out);
        assert_true(silent.res.silent);
        assert_true(contains(silent.log, "begin\n"));
        assert_true(silent.elapsed_usec < 5000000);

        /* Control: output every 0.3 s keeps a 1 s max-silent-time happy. */
        const char *chatty_args[] = { "-c", "for i in 1 2 3 4 5 6; do echo $i; sleep 0.3; done", NULL };
        SandboxSpec chatty_spec = {
                .inputs = inputs, .builder = "/bin/bash", .args = chatty_args, .sandbox_paths = host_paths,
                .timeout = 20, .max_silent_time = 1,
        };
        _cleanup_run_ Run chatty = {};
        run_spec(&chatty, &chatty_spec);
        print_run("chatty", &chatty);
        assert_true(exited_ok(&chatty));
        assert_false(chatty.res.timed_out);
        assert_true(contains(chatty.log, "6\n"));
}

/* ---- (7) what the builder sees ---- */

static void test_environment(void **state) {
        /* The environment is exactly spec->env, in order. */
        SandboxSpec spec = { .inputs = inputs, .builder = "/usr/bin/env", .sandbox_paths = host_paths };
        _cleanup_run_ Run env = {};
        run_spec(&env, &spec);
        print_run("env", &env);
        assert_true(exited_ok(&env));
        StrBuf expected = STRBUF_INIT;
        for (const char *const *e = base_env; *e; e++)
                strbuf_addf(&expected, "%s\n", *e);
        assert_string_equal(env.log, expected.buf);
        strbuf_release(&expected);

        _cleanup_run_ Run id = {};
        run_sh(&id,
               "set -e\n"
               "echo \"host=$(cat /proc/sys/kernel/hostname) domain=$(cat /proc/sys/kernel/domainname)\"\n"
               "echo \"uid=$(id -u) gid=$(id -g) groups=$(id -G)\"\n"
               "echo \"cwd=$(pwd) pid=$$ ppid=$PPID\"\n"
               "echo \"argv0=$0\"\n"
               "echo \"pid1=$(tr '\\0' ' ' < /proc/1/cmdline | cut -c1-7)\"\n"
               "echo \"procs=$(ls -d /proc/[0-9]* | wc -l)\"\n"
               "echo x > /dev/null\n"
               "test \"$(head -c 4 /dev/zero | wc -c)\" = 4\n"
               "test \"$(head -c 16 /dev/urandom | wc -c)\" = 16\n"
               "test \"$(head -c 16 /dev/random | wc -c)\" = 16\n"
               "if echo x 2>/dev/null > /dev/full; then echo full-accepted; fi\n"
               "test -e /proc/self/status && echo proc-ok\n"
               "echo shm > /dev/shm/x && cat /dev/shm/x\n"
               "echo tmp > /tmp/x && cat /tmp/x\n"
               "echo build > /build/x && cat x\n"
               "exec 3<>/dev/ptmx && echo ptmx-ok\n"
               "test -t 0 || echo stdin-not-a-tty\n"
               "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\\t'\n"
               "echo \"root=$(ls / | tr '\\n' ' ')\"\n"
               "echo \"dev=$(ls /dev | tr '\\n' ' ')\"\n"
               "echo \"store=$(ls /nix/store | tr '\\n' ' ')\"\n"
               "cat " IN_FILE " " IN_LINK "\n"
               "echo \"link=$(readlink " IN_LINK ")\"\n"
               "if touch /new 2>/dev/null; then echo root-writable; fi\n"
               "if echo x 2>/dev/null >> /etc/passwd; then echo etc-writable; fi\n",
               false);
        print_run("identity", &id);
        assert_true(exited_ok(&id));
        assert_true(contains(id.log, "host=localhost domain=(none)\n"));
        assert_true(contains(id.log, "uid=1000 gid=1000 groups=1000\n"));
        /* The builder is PID 1 of its namespace, as in Nix. */
        assert_true(contains(id.log, "cwd=/build pid=1 ppid=0\n"));
        assert_true(contains(id.log, "argv0=bash\n"));
        /* Only the sandbox's processes: bash, and the pipeline's ls and wc. */
        assert_true(contains(id.log, "pid1=bash -c\n"));
        assert_true(contains(id.log, "procs=3\n") || contains(id.log, "procs=4\n"));
        assert_false(contains(id.log, "full-accepted"));
        assert_true(contains(id.log, "proc-ok\nshm\ntmp\nbuild\nptmx-ok\nstdin-not-a-tty\n"));
        assert_true(contains(id.log, "CapInh:0000000000000000\nCapPrm:0000000000000000\n"
                                     "CapEff:0000000000000000\nCapBnd:0000000000000000\n"
                                     "CapAmb:0000000000000000\nNoNewPrivs:1\nSeccomp:2\n"));
        assert_true(contains(id.log, "root=bin build dev etc lib lib64 nix proc tmp usr \n"));
        assert_true(contains(id.log, "dev=fd full null ptmx pts random shm stderr stdin stdout tty urandom zero \n"));
        assert_true(contains(id.log, "store=0123456789abcdfghijklmnpqrsvwxyz-input-dir "
                                     "1123456789abcdfghijklmnpqrsvwxyz-input-file "
                                     "2123456789abcdfghijklmnpqrsvwxyz-input-link \n"));
        assert_true(contains(id.log, "a text input\nhello from the input\n"));
        assert_true(contains(id.log, "link=" IN_DIR "/data\n"));
        assert_false(contains(id.log, "root-writable"));
        assert_false(contains(id.log, "etc-writable"));

        /* No /bin/sh unless asked for. */
        const char *args[] = { "-c", "true", NULL };
        SandboxSpec bare = { .inputs = inputs, .builder = "/bin/sh", .args = args };
        _cleanup_run_ Run no_sh = {};
        run_spec(&no_sh, &bare);
        print_run("no /bin/sh", &no_sh);
        assert_int_equal(no_sh.r, -ENOENT);
        assert_true(contains(no_sh.error, "executing builder '/bin/sh'"));
}

/* ---- (8) the FHS view ---- */

static void test_fhs_root(void **state) {
        const char *fhs_inputs[] = { IN_FHS, IN_DIR, NULL };
        const char *args[] = {
                "-c",
                "test -d /usr/bin && test -d /usr/lib/x86_64-linux-gnu && "
                "test -e /lib64/ld-linux-x86-64.so.2 && test -x /bin/sh && "
                "test ! -e /sbin && read line < " IN_DIR "/data && echo \"$line\" > $out",
                NULL,
        };
        SandboxSpec spec = { .inputs = fhs_inputs, .builder = "/bin/sh", .args = args, .fhs_root = IN_FHS };
        _cleanup_run_ Run fhs = {};
        run_spec(&fhs, &spec);
        print_run("fhs", &fhs);
        assert_true(exited_ok(&fhs));
        _cleanup_free_ char *out = NULL;
        assert_int_equal(read_file(AT_FDCWD, fhs.out, 4096, &out, NULL), 0);
        assert_string_equal(out, "hello from the input\n");

        /* Control: the same build without the FHS view has no /bin/sh. */
        SandboxSpec plain = { .inputs = fhs_inputs, .builder = "/bin/sh", .args = args };
        _cleanup_run_ Run none = {};
        run_spec(&none, &plain);
        assert_int_equal(none.r, -ENOENT);

        /* The FHS root must be an input. */
        SandboxSpec outside = { .inputs = inputs, .builder = "/bin/sh", .args = args, .fhs_root = IN_FHS };
        _cleanup_run_ Run bad = {};
        run_spec(&bad, &outside);
        assert_int_equal(bad.r, -EINVAL);
        assert_true(contains(bad.error, "not among the inputs"));
}

/* ---- (9) the host's mount table ---- */

static char *list_dir(const char *path) {
        DIR *d = opendir(path);
        assert_non_null(d);
        char *names[64];
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 && n < ELEMENTSOF(names))
                        names[n++] = xstrdup(de->d_name);
        closedir(d);
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
                        char *t = names[j];
                        names[j] = names[j - 1];
                        names[j - 1] = t;
                }
        StrBuf sb = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
                strbuf_addf(&sb, "%s ", names[i]);
                free(names[i]);
        }
        return strbuf_detach(&sb, NULL);
}

static void test_host_mounts(void **state) {
        _cleanup_free_ char *before = NULL, *after = NULL;
        assert_int_equal(read_file(AT_FDCWD, "/proc/self/mountinfo", 1 << 20, &before, NULL), 0);
        _cleanup_run_ Run run = {};
        run_sh(&run, "echo built > $out; echo tmp > /tmp/x; grep -c . /proc/self/mountinfo", false);
        print_run("mounts", &run);
        assert_true(exited_ok(&run));
        assert_int_equal(read_file(AT_FDCWD, "/proc/self/mountinfo", 1 << 20, &after, NULL), 0);
        assert_string_equal(before, after);
        assert_false(contains(after, run.chroot));

        /* The output stays in the chroot directory, for the caller; the
         * store directory there holds the outputs and nothing else (the
         * input mount points were in memory). */
        _cleanup_free_ char *out = NULL;
        assert_int_equal(read_file(AT_FDCWD, run.out, 4096, &out, NULL), 0);
        assert_string_equal(out, "built\n");
        _cleanup_free_ char *top = list_dir(run.chroot);
        assert_string_equal(top, "nix overlay-work tmp ");
        _cleanup_free_ char *store = xasprintf("%s/nix/store", run.chroot);
        _cleanup_free_ char *outputs = list_dir(store);
        assert_string_equal(outputs, "4123456789abcdfghijklmnpqrsvwxyz-out ");
}

/* Without overlayfs, the mount points are made in the disk directory: the
 * same walls hold. */
static void test_without_overlay(void **state) {
        setenv("FIRN_SANDBOX_OVERLAY", "0", 1);
        _cleanup_run_ Run run = {};
        run_sh(&run,
               "cat " IN_DIR "/data " IN_FILE "; readlink " IN_LINK "; "
               "if echo x 2>/dev/null > " IN_DIR "/data; then echo input-writable; fi; "
               "if touch /nix/store/x 2>/dev/null && rmdir " IN_DIR " 2>/dev/null; then echo removed; fi; "
               "echo built > $out",
               false);
        unsetenv("FIRN_SANDBOX_OVERLAY");
        print_run("without overlay", &run);
        assert_true(exited_ok(&run));
        assert_true(contains(run.log, "hello from the input\na text input\n" IN_DIR "/data\n"));
        assert_false(contains(run.log, "input-writable"));
        assert_false(contains(run.log, "removed"));
        _cleanup_free_ char *out = NULL;
        assert_int_equal(read_file(AT_FDCWD, run.out, 4096, &out, NULL), 0);
        assert_string_equal(out, "built\n");
        _cleanup_free_ char *top = list_dir(run.chroot);
        assert_string_equal(top, "nix tmp ");
}

/* ---- (10) set-up failures ---- */

static void test_setup_errors(void **state) {
        const char *args[] = { "-c", "true", NULL };

        const char *missing[] = { IN_DIR, NOT_AN_INPUT, NULL };
        SandboxSpec spec = { .inputs = missing, .builder = "/bin/bash", .args = args, .sandbox_paths = host_paths };
        _cleanup_run_ Run run = {};
        run_spec(&run, &spec);
        print_run("missing input", &run);
        assert_int_equal(run.r, -ENOENT);
        assert_true(contains(run.error, "input '" NOT_AN_INPUT "' is missing"));

        /* The same input twice is fine. */
        const char *twice[] = { IN_DIR, IN_FILE, IN_DIR, IN_FILE, NULL };
        const char *cat_args[] = { "-c", "cat " IN_DIR "/data " IN_FILE, NULL };
        SandboxSpec dup_spec = { .inputs = twice, .builder = "/bin/bash", .args = cat_args, .sandbox_paths = host_paths };
        _cleanup_run_ Run dup = {};
        run_spec(&dup, &dup_spec);
        assert_true(exited_ok(&dup));
        assert_string_equal(dup.log, "hello from the input\na text input\n");

        const char *not_store[] = { "/etc", NULL };
        SandboxSpec spec2 = { .inputs = not_store, .builder = "/bin/bash", .args = args, .sandbox_paths = host_paths };
        _cleanup_run_ Run run2 = {};
        run_spec(&run2, &spec2);
        assert_int_equal(run2.r, -EINVAL);
        assert_true(contains(run2.error, "not a store path"));

        const char *bad_paths[] = { "/bin", "/does/not/exist", NULL };
        SandboxSpec spec3 = { .inputs = inputs, .builder = "/bin/bash", .args = args, .sandbox_paths = bad_paths };
        _cleanup_run_ Run run3 = {};
        run_spec(&run3, &spec3);
        assert_int_equal(run3.r, -ENOENT);
        assert_true(contains(run3.error, "/does/not/exist"));

        /* … unless optional; and INSIDE=HOST puts it elsewhere. */
        const char *opt_paths[] = { "/bin", "/lib", "/lib64", "/usr", "/does/not/exist?", "/opt/x=/usr/bin",
                                    "/tmp/y/z=/usr/bin", "/nix/store/extra=/usr/bin", NULL };
        const char *args4[] = {
                "-c",
                "test ! -e /does && test -x /opt/x/bash && test -x /tmp/y/z/bash && test -x /nix/store/extra/bash && "
                "echo ok > /tmp/f && echo built > $out",
                NULL,
        };
        SandboxSpec spec4 = { .inputs = inputs, .builder = "/bin/bash", .args = args4, .sandbox_paths = opt_paths };
        _cleanup_run_ Run run4 = {};
        run_spec(&run4, &spec4);
        print_run("optional sandbox path", &run4);
        assert_true(exited_ok(&run4));
        setenv("FIRN_SANDBOX_OVERLAY", "0", 1);
        SandboxSpec spec4b = { .inputs = inputs, .builder = "/bin/bash", .args = args4, .sandbox_paths = opt_paths };
        _cleanup_run_ Run run4b = {};
        run_spec(&run4b, &spec4b);
        unsetenv("FIRN_SANDBOX_OVERLAY");
        print_run("sandbox paths without overlay", &run4b);
        assert_true(exited_ok(&run4b));

        const char *in_build[] = { "/build/x=/usr/bin", NULL };
        SandboxSpec spec4c = { .inputs = inputs, .builder = "/bin/bash", .args = args, .sandbox_paths = in_build };
        _cleanup_run_ Run run4c = {};
        run_spec(&run4c, &spec4c);
        assert_int_equal(run4c.r, -EINVAL);
        assert_true(contains(run4c.error, "inside a directory the sandbox mounts"));

        /* The chroot directory must not exist. */
        SandboxSpec spec5 = { .inputs = inputs, .builder = "/bin/bash", .args = args, .sandbox_paths = host_paths };
        _cleanup_run_ Run run5 = {};
        run_spec(&run5, &spec5);
        assert_true(exited_ok(&run5));
        _cleanup_free_ char *build = rootpath("/build-again");
        assert_int_equal(mkdir(build, 0700), 0);
        spec5.build_dir = build;
        SandboxResult res;
        _cleanup_free_ char *error = NULL;
        assert_int_equal(sandbox_run(&spec5, &res, &error), -EEXIST);
        assert_true(contains(error, "creating the sandbox root"));

        /* A builder that is not there. */
        SandboxSpec spec6 = { .inputs = inputs, .builder = "/usr/bin/no-such-builder", .sandbox_paths = host_paths };
        _cleanup_run_ Run run6 = {};
        run_spec(&run6, &spec6);
        assert_int_equal(run6.r, -ENOENT);
        assert_true(contains(run6.error, "executing builder '/usr/bin/no-such-builder'"));
}

/* ---- concurrency ---- */

static void *thread_build(void *arg) {
        Run *run = arg;
        run_sh(run, "echo $RANDOM > $out; sleep 0.2", false);
        return NULL;
}

static void test_concurrent(void **state) {
        Run runs[4] = {};
        pthread_t threads[4];
        for (size_t i = 0; i < 4; i++)
                assert_int_equal(pthread_create(&threads[i], NULL, thread_build, &runs[i]), 0);
        for (size_t i = 0; i < 4; i++)
                pthread_join(threads[i], NULL);
        for (size_t i = 0; i < 4; i++) {
                if (!exited_ok(&runs[i]))
                        print_run("concurrent", &runs[i]);
                assert_true(exited_ok(&runs[i]));
                assert_int_equal(access(runs[i].out, F_OK), 0);
                run_free(&runs[i]);
        }
}

/* ---- set-up time ---- */

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static uint64_t median_setup(const char *const *ins, size_t n) {
        uint64_t t[64];
        assert_true(n <= ELEMENTSOF(t));
        for (size_t i = 0; i < n; i++) {
                SandboxSpec spec = { .inputs = ins, .builder = "/bin/true", .sandbox_paths = host_paths };
                _cleanup_run_ Run run = {};
                run_spec(&run, &spec);
                assert_true(exited_ok(&run));
                t[i] = run.res.setup_usec;
                rm_rf(AT_FDCWD, run.chroot, NULL);
        }
        qsort(t, n, sizeof t[0], cmp_u64);
        return t[n / 2];
}

static void test_setup_time(void **state) {
        uint64_t trivial = median_setup(inputs, 20);

        /* 200 more inputs: the per-input cost. */
        enum { N = 200 };
        char **many = xcalloc(N + 4, sizeof(char *));
        for (size_t i = 0; i < 3; i++)
                many[i] = xstrdup(inputs[i]);
        for (size_t i = 0; i < N; i++) {
                many[i + 3] = xasprintf("/nix/store/%03zu3456789abcdfghijklmnpqrsvwxyz-dep", i);
                _cleanup_free_ char *p = rootpath("%s", many[i + 3]);
                assert_int_equal(mkdir(p, 0555), 0);
        }
        uint64_t with_many = median_setup((const char *const *) many, 20);
        for (size_t i = 0; i < N + 3; i++)
                free(many[i]);
        free(many);

        print_message("sandbox setup_usec (median of 20): trivial build %llu us; with %d more inputs %llu us "
                      "(%.1f us per input)\n",
                      (unsigned long long) trivial, N, (unsigned long long) with_many,
                      ((double) with_many - (double) trivial) / N);
        /* The target is 20 ms; on a loaded machine process creation alone
         * can take several, so only a gross regression fails the test. */
        assert_true(trivial < 200000);
}

int main(int argc, char **argv) {
        if (argc == 3 && strcmp(argv[1], "--helper") == 0)
                return helper_main(argv[2]);
        if (geteuid() != 0 || !userns_works()) {
                fprintf(stderr, "test-sandbox: needs root and user namespaces; skipped\n");
                return 77; /* meson: skipped */
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_network),
                cmocka_unit_test(test_host_files),
                cmocka_unit_test(test_inputs_read_only),
                cmocka_unit_test(test_setuid),
                cmocka_unit_test(test_syscall_filter),
                cmocka_unit_test(test_background_process),
                cmocka_unit_test(test_timeouts),
                cmocka_unit_test(test_environment),
                cmocka_unit_test(test_fhs_root),
                cmocka_unit_test(test_host_mounts),
                cmocka_unit_test(test_without_overlay),
                cmocka_unit_test(test_setup_errors),
                cmocka_unit_test(test_concurrent),
                cmocka_unit_test(test_setup_time),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
