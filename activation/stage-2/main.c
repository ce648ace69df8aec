/* firn-activate: stage 2 of the boot, and the activation of a generation.
 *
 *   firn-activate [--root DIR] [--exec-systemd] TOPLEVEL
 *   TOPLEVEL/init  (a symlink to firn-activate: see toplevel.h)
 *
 * One statically linked process, no forks: under QEMU's TCG every process
 * start costs ~40 ms. Each step is idempotent and replaces things by
 * rename(2), so a crash leaves the old state or the new one. A step that
 * fails is reported and the others still run: systemd with a partial /etc
 * beats a dead machine. README.md is the contract with the Nix side. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "activation-file.h"
#include "etc.h"
#include "fileio.h"
#include "fsops.h"
#include "links.h"
#include "log.h"
#include "machine-id.h"
#include "mounts.h"
#include "toplevel.h"
#include "users.h"
#include "var-layout.h"
#include "wrappers.h"
#include "xalloc.h"

#define ACTIVATION_FILE_MAX (16u << 20)

static const char *arg_root;
static bool arg_exec_systemd;
static const char *arg_toplevel;
static char *self_toplevel; /* from toplevel_from_self, lives until exit */

static struct timespec start_time;
static int failures;

static double elapsed(void) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (double) (now.tv_sec - start_time.tv_sec) + (double) (now.tv_nsec - start_time.tv_nsec) / 1e9;
}

/* One line per step: "firn stage 2 [0.012s]: /etc linked (123 entries)". */
static void step(const char *fmt, ...) _printf_(1, 2);
static void step(const char *fmt, ...) {
        va_list ap;
        fprintf(stderr, "firn stage 2 [%.3fs]: ", elapsed());
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

/* A failed step: "firn stage 2 [0.013s]: users FAILED: Read-only file system". */
static void step_failed(const char *what, int r) {
        failures++;
        step("%s FAILED: %s", what, strerror(r < 0 ? -r : r));
}

static void usage(FILE *f) {
        fputs("Usage: firn-activate [--root DIR] [--exec-systemd] TOPLEVEL\n"
              "       TOPLEVEL/init (a link to firn-activate; stage 2 of the boot)\n"
              "       TOPLEVEL/activate, TOPLEVEL/bin/switch-to-configuration [switch|test]\n"
              "\n"
              "Activates the generation TOPLEVEL: /run/current-system, the merged-/usr\n"
              "links, /etc, users and groups, /etc/machine-id, /run/wrappers.\n"
              "\n"
              "  --root DIR       operate on DIR as if it were / (no mounts, no systemd)\n"
              "  --exec-systemd   boot: also set /run/booted-system and exec systemd\n",
              f);
}

static int parse_argv(int argc, char **argv) {
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "exec-systemd", no_argument, NULL, 'e' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;
        /* The kernel may pass its own arguments to init: ignore them. */
        if (toplevel_invoked_as_init(argv[0])) {
                arg_exec_systemd = true;
                return 0;
        }
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'r':
                        arg_root = optarg;
                        break;
                case 'e':
                        arg_exec_systemd = true;
                        break;
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        /* A generation's own activate or bin/switch-to-configuration knows
         * its TOPLEVEL (on the running system: not with --root); the latter takes NixOS's action word, of which
         * "switch" and "test" (activate now) are what firn does so far. */
        const char *base = strrchr(argv[0], '/');
        bool as_switch = strcmp(base ? base + 1 : argv[0], "switch-to-configuration") == 0;
        if (as_switch && optind == argc - 1 && argv[optind][0] != '/') {
                if (strcmp(argv[optind], "switch") != 0 && strcmp(argv[optind], "test") != 0) {
                        log_error("switch-to-configuration %s: not supported yet (only switch and test, which activate now)",
                                  argv[optind]);
                        return -EINVAL;
                }
                optind++;
        }
        if (optind == argc && !arg_root && toplevel_from_self(argv[0], &self_toplevel) >= 0) {
                arg_toplevel = self_toplevel;
                return 0;
        }
        if (optind != argc - 1) {
                usage(stderr);
                return -EINVAL;
        }
        arg_toplevel = argv[optind];
        if (arg_toplevel[0] != '/') {
                log_error("TOPLEVEL must be an absolute path: %s", arg_toplevel);
                return -EINVAL;
        }
        if (arg_root && arg_exec_systemd) {
                log_error("--exec-systemd cannot be combined with --root");
                return -EINVAL;
        }
        return 0;
}

/* Reads TOPLEVEL/activation.json. *ret_valid is false when it exists but
 * can't be used; the steps that would act on its absence (users, wrappers)
 * are then skipped. */
static Activation *load_activation(const Root *r, const char *toplevel, bool *ret_valid) {
        _cleanup_free_ char *path = xasprintf("%s/activation.json", toplevel);
        _cleanup_free_ char *data = NULL, *error = NULL;
        size_t len = 0;
        Activation *a = NULL;
        *ret_valid = true;
        int q = root_read_file(r, path, ACTIVATION_FILE_MAX, &data, &len);
        if (q == -ENOENT) {
                log_warning("%s does not exist: no users, copies or wrappers", path);
                return activation_new_empty();
        }
        if (q >= 0)
                q = activation_parse(data, len, &a, &error);
        if (q < 0) {
                if (error)
                        log_error("%s: %s", path, error);
                else
                        log_error_errno(q, "Failed to read %s: %m", path);
                step_failed("activation.json", q);
                *ret_valid = false;
                return activation_new_empty();
        }
        return a;
}

/* Serialises activations (a switch racing a boot-time one, two switches). */
static int take_lock(const Root *r) {
        _cleanup_close_ int dfd = root_mkdir_p(r, "/run/firn", 0755);
        if (dfd < 0)
                return dfd;
        int fd = openat(dfd, "activate.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0) {
                int q = -errno;
                close(fd);
                return q;
        }
        return fd;
}

static int activate(const Root *r, const char *toplevel) {
        int q;
        bool valid;
        _cleanup_close_ int lockfd = take_lock(r);
        if (lockfd < 0)
                log_warning("Failed to lock /run/firn/activate.lock: %s", strerror(-lockfd));

        Activation *a = load_activation(r, toplevel, &valid);

        size_t changed = 0, blocked = 0;
        q = run_links_activate(r, toplevel, arg_exec_systemd, &changed);
        if (q < 0)
                step_failed("/run/current-system", q);
        else
                step("/run/current-system -> %s%s", toplevel, changed ? "" : " (unchanged)");

        if (valid) {
                bool unit_changed;
                q = default_unit_activate(r, a->default_unit, &unit_changed);
                if (q < 0)
                        step_failed("default.target", q);
                else if (a->default_unit)
                        step("default.target -> %s%s", a->default_unit, unit_changed ? "" : " (unchanged)");
        }

        q = usr_links_activate(r, &changed, &blocked);
        if (q < 0)
                step_failed("/usr links", q);
        else
                step("/usr, /bin, /sbin, /lib, /lib64 linked (%zu changed%s)", changed, blocked ? ", some blocked" : "");

        q = var_layout_activate(r, &changed);
        if (q < 0)
                step_failed("/var layout", q);
        else
                step("/var, /tmp, /root ready (%zu created)", changed);

        UserDb *db = NULL;
        if (valid) {
                UsersStats us;
                q = users_activate(r, a, &db, &us);
                if (q < 0)
                        step_failed("users and groups", q);
                else
                        step("users and groups: %zu users, %zu groups (%zu removed; %zu files written, %zu homes "
                             "created)",
                             us.users, us.groups, us.users_removed + us.groups_removed, us.files_written,
                             us.homes_created);
        } else
                step("users and groups skipped (no valid activation.json)");
        if (!db && userdb_load(r, &db) < 0)
                db = NULL;

        EtcStats es;
        q = etc_activate(r, toplevel, a, db, valid, &es);
        if (q < 0)
                step_failed("/etc", q);
        else
                step("/etc linked (%zu entries; %zu changed, %zu removed, %zu blocked)", es.entries, es.changed,
                     es.removed, es.blocked);

        bool created;
        q = machine_id_activate(r, &created);
        if (q < 0)
                step_failed("/etc/machine-id", q);
        else
                step("/etc/machine-id %s", created ? "created" : "kept");

        if (valid) {
                size_t installed;
                q = wrappers_activate(r, a, db, &installed);
                if (q < 0)
                        step_failed("/run/wrappers", q);
                else
                        step("/run/wrappers: %zu installed", installed);
        }

        /* One syncfs for all the links (files were fsynced one by one). */
        _cleanup_close_ int fd = root_open(r, "/", O_RDONLY | O_DIRECTORY, 0);
        q = fd < 0 ? fd : fs_sync(fd);
        if (q < 0)
                step_failed("syncfs", q);

        userdb_free(db);
        activation_free(a);
        return failures ? -EIO : 0;
}

int main(int argc, char **argv) {
        clock_gettime(CLOCK_MONOTONIC, &start_time);
        log_set_program("firn stage 2");
        umask(022);
        if (parse_argv(argc, argv) < 0)
                return 2;

        int q;
        if (!arg_root) {
                size_t mounted;
                q = early_mounts(&mounted);
                ensure_console();
                if (q < 0)
                        step_failed("early mounts", q);
                else if (mounted)
                        step("mounted %zu API file systems", mounted);
        }

        _cleanup_free_ char *found = NULL;
        if (!arg_toplevel) {
                q = toplevel_from_init(argv[0], &found);
                if (q < 0) {
                        log_error("Cannot tell which generation to boot: argv[0] is %s, and neither systemConfig= "
                                  "nor init= is set",
                                  argv[0]);
                        return 1;
                }
                arg_toplevel = found;
        }

        Root root = { .fd = -EBADF };
        _cleanup_free_ char *toplevel = NULL;
        q = root_open_dir(arg_root ? arg_root : "/", &root);
        if (q < 0)
                log_error_errno(q, "Failed to open the root %s: %m", arg_root ? arg_root : "/");
        else {
                q = toplevel_resolve(&root, arg_toplevel, &toplevel);
                if (q < 0)
                        log_error_errno(q, "%s is not a usable generation: %m", arg_toplevel);
        }
        if (q >= 0) {
                step("activating %s%s%s", toplevel, arg_root ? " under " : "", arg_root ? arg_root : "");
                q = activate(&root, toplevel);
        } else
                failures++;
        root_close(&root);

        if (arg_exec_systemd) {
                const char *t = toplevel ? toplevel : arg_toplevel;
                step("starting systemd of %s", t);
                q = toplevel_exec_systemd(t);
                log_error_errno(q, "Failed to start systemd from %s: %m", t);
                return 1;
        }
        step("done%s", failures ? " with failures" : "");
        return failures ? 1 : 0;
}
