/* The build sandbox: runs one builder process isolated from the host, as
 * Nix's Linux sandbox does.
 *
 * The builder runs as uid/gid 1000 ("nixbld") inside new user, mount, PID,
 * network (loopback only, unless spec->network), IPC and UTS (hostname
 * "localhost", domain name "(none)") namespaces, pivot_root'ed into a fresh
 * root that holds only:
 *
 *   /nix/store/…    each path of spec->inputs, bind-mounted read-only (and
 *                   nosuid, nodev) from the real store (ROOT + path); an
 *                   input that is a symlink is copied as a symlink. The
 *                   store directory itself is writable (mode 1775, group
 *                   host_gid), so the builder can create its outputs there
 *                   (they appear on the host under spec->chroot_dir +
 *                   "/nix/store/…", owned by host_uid, and are moved into
 *                   the real store by the caller after the build, which
 *                   also canonicalises them)
 *   /build          spec->build_dir, writable, the working directory
 *   /tmp            spec->chroot_dir + "/tmp", empty, mode 1777 (as in Nix)
 *   /dev            null zero full random urandom tty (the host's device
 *                   nodes, bind-mounted), ptmx -> pts/ptmx and pts (a new
 *                   devpts instance, ptmxmode=0666), shm (tmpfs, 1777),
 *                   fd -> /proc/self/fd and the stdin/stdout/stderr links
 *   /proc           a procfs of the new PID namespace
 *   /etc/passwd, /etc/group, /etc/hosts   just root, nixbld, nobody and
 *                   localhost (with spec->network: the host's /etc/hosts,
 *                   /etc/resolv.conf and /etc/services instead, as Nix
 *                   gives fixed-output derivations)
 *   /bin/sh         only when spec->sandbox_paths names it; in general each
 *                   "PATH" or "INSIDE=HOSTPATH" of spec->sandbox_paths is
 *                   bind-mounted read-only (recursively) at INSIDE (PATH
 *                   when there is no '='); a trailing '?' makes the entry
 *                   optional (skipped when HOSTPATH does not exist). As in
 *                   Nix, a HOSTPATH that is a symlink is copied as the
 *                   symlink, not followed.
 *   /usr /bin /sbin /lib /lib32 /lib64 /libx32   with spec->fhs_root: for
 *                   each of these that exists in the fhs_root store path, a
 *                   symlink to it (fhs_root + "/usr" …), so Debian binaries
 *                   find /lib64/ld-linux-x86-64.so.2 and
 *                   /usr/lib/x86_64-linux-gnu. fhs_root must be one of
 *                   spec->inputs.
 *
 * The builder is PID 1 of its PID namespace (as in Nix): when it exits,
 * the kernel kills every process left in the namespace, so nothing
 * outlives the build. It runs with a new session, umask 022, no
 * capabilities, no supplementary groups, PR_SET_NO_NEW_PRIVS, all signals
 * at their defaults and unblocked, stdin from /dev/null, stdout and stderr
 * to a pipe, no other file descriptors, argv[0] the builder's base name and
 * exactly spec->env as its environment. A seccomp filter (Nix's) makes
 * chmod/fchmod/fchmodat/fchmodat2 with S_ISUID or S_ISGID fail with EPERM
 * and setxattr/lsetxattr/fsetxattr fail with ENOTSUP. If the process that
 * called sandbox_run dies, the builder is killed (PR_SET_PDEATHSIG).
 *
 * No mount is made in the caller's mount namespace: the root is a tmpfs
 * (read-only once built) and every mount lives in the builder's own mount
 * namespace and disappears with it. The store directory is an overlay
 * whose upper layer is spec->chroot_dir + store_dir on disk, so afterwards
 * the chroot directory holds just:
 *
 *   nix/store/      the outputs, and nothing else (mode 1775, root:host_gid)
 *   overlay-work/   overlayfs's work directory
 *   tmp/            what the builder left in /tmp
 *
 * Without overlayfs (or with FIRN_SANDBOX_OVERLAY=0 in the environment, for
 * tests), nix/store is bind-mounted as it is, and also holds the inputs'
 * (empty) mount points and symlink copies; there is no overlay-work.
 *
 * Sandbox paths may lie inside /tmp and the store directory; inside
 * /build, /proc, /dev/pts or /dev/shm they are refused.
 *
 * The caller must be root (it writes the user namespace's maps for another
 * uid, chowns the store and build directories). The library prints
 * nothing; the builder's stdout and stderr go to spec->log_fd.
 *
 * Thread-safe: builds may run concurrently from several threads (each with
 * its own chroot_dir and build_dir). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The uid and gid of the build user inside the sandbox. */
#define SANDBOX_BUILD_UID 1000
#define SANDBOX_BUILD_GID 1000

typedef struct SandboxSpec {
        const char *store_root;      /* "" or the --store ROOT: inputs are at ROOT + path */
        const char *store_dir;       /* logical, "/nix/store" */
        const char *const *inputs;   /* logical store paths (the input closure), NULL-terminated;
                                      * each must exist under ROOT; duplicates are fine */
        const char *chroot_dir;      /* host directory to build the root in; created (its parent
                                      * must exist), must not exist */
        const char *build_dir;       /* host directory mounted at /build; must exist; the sandbox
                                      * chowns it (not its contents) to host_uid:host_gid */
        const char *builder;         /* path inside the sandbox */
        const char *const *args;     /* argv[1..], NULL-terminated, may be NULL */
        const char *const *env;      /* "NAME=VALUE", NULL-terminated: the complete environment */
        const char *const *sandbox_paths; /* extra read-only binds, NULL-terminated, may be NULL */
        const char *fhs_root;        /* logical store path with usr/ (and bin, lib, …) or NULL */
        bool network;                /* share the host's network (fixed-output derivations) */
        int log_fd;                  /* receives the builder's stdout and stderr; < 0 discards */
        unsigned timeout;            /* seconds from the call, 0 = none: kill, set timed_out */
        unsigned max_silent_time;    /* seconds without output, 0 = none: kill, set timed_out
                                      * and silent */
        uid_t host_uid;              /* host uid the build user maps to (e.g. 30001); not 0 */
        gid_t host_gid;
} SandboxSpec;

typedef struct SandboxResult {
        int exit_status;             /* wait status of the builder (WIFEXITED …); after a
                                      * timeout, killed by SIGKILL */
        bool timed_out;              /* killed for timeout or max_silent_time */
        bool silent;                 /* … and it was max_silent_time */
        uint64_t setup_usec;         /* from the call until the builder is exec'ed */
} SandboxResult;

/* Builds the root, runs the builder to completion (copying its output to
 * log_fd as it comes), and lets the mounts go with the builder's mount
 * namespace. Returns 0 when the builder ran, whatever became of it (see
 * ret->exit_status and ret->timed_out: a timeout is the builder's failure,
 * not the sandbox's), or a negative errno with a malloc'ed message in
 * *ret_error that names the failing step (e.g. "input '/nix/store/…' is
 * missing: No such file or directory", "executing builder '/bin/sh': No
 * such file or directory") when the sandbox could not be set up or the
 * builder could not be executed. *ret is set only on success. The chroot
 * directory is left (on failure too, if it was created) for the caller to
 * collect outputs from and remove. */
int sandbox_run(const SandboxSpec *spec, SandboxResult *ret, char **ret_error);
