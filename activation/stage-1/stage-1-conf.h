/* Parsing for firn's stage-1 init: its configuration file, the kernel
 * command line and mount options. Pure functions over strings, so the unit
 * tests (tests/boot/test-stage-1-conf.c) reach them on the host.
 *
 * The configuration, /etc/firn/stage-1.conf in the initrd, holds one
 * directive per line; words are separated by blanks, '#' starts a comment
 * (at the start of a line or after a blank), and a word may spell a blank,
 * '#' or '\' as an fstab-style octal escape (\040, \043, \134):
 *
 *     module PATH                         a kernel module (.ko) in the
 *                                         initrd, loaded in the order given
 *     root DEVSPEC FSTYPE [OPTIONS]       the root file system (required):
 *                                         DEVSPEC is /dev/…, LABEL=… or
 *                                         UUID=… (ext2/3/4 superblocks), or
 *                                         anything (say "none") with FSTYPE
 *                                         tmpfs; OPTIONS "defaults" when left
 *                                         out (a tmpfs root gets mode=755
 *                                         unless OPTIONS give a mode)
 *     mount SOURCE TARGET FSTYPE [OPTIONS]
 *                                         another file system, mounted at the
 *                                         absolute TARGET under the new root
 *                                         after it, in the order given (mount
 *                                         points are created)
 *     timeout SECONDS                     how long to wait for the root
 *                                         device (and for mount sources) to
 *                                         appear, 0–3600; default 30
 *     emergency-shell 0|1                 on failure, run /bin/sh from the
 *                                         initrd before rebooting; default 0
 *
 * OPTIONS is a comma-separated list: the flag words ro, rw, nosuid, suid,
 * nodev, dev, noexec, exec, sync, async, noatime, atime, nodiratime,
 * diratime, relatime, norelatime, strictatime, lazytime, nolazytime,
 * dirsync, mand, nomand, silent, loud and defaults become mount(2) flags;
 * the other words are passed on as the file system's data, in their order.
 *
 * The kernel command line gives:
 *
 *     init=PATH          the stage-2 init to exec in the new root (required)
 *     firn.root=DEVSPEC  overrides the configuration's root device
 *     firn.shell         turns the emergency shell on (like emergency-shell 1)
 *
 * Everything here allocates with malloc and aborts when memory runs out
 * (an initrd cannot do better). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Bounds on what the configuration may hold. */
#define STAGE1_CONF_MAX_SIZE (256 * 1024)
#define STAGE1_MAX_MODULES 1024
#define STAGE1_MAX_MOUNTS 64
#define STAGE1_MAX_TIMEOUT 3600
#define STAGE1_DEFAULT_TIMEOUT 30

typedef struct Stage1Mount {
        char *source;
        char *target;  /* absolute; "/" for the root */
        char *fstype;
        char *options; /* never NULL: "defaults" when the line had none */
} Stage1Mount;

typedef struct Stage1Conf {
        char **modules;
        size_t n_modules;
        bool has_root;
        Stage1Mount root;
        Stage1Mount *mounts;
        size_t n_mounts;
        unsigned timeout;     /* seconds */
        bool emergency_shell;
} Stage1Conf;

typedef struct Stage1Cmdline {
        char *init;    /* NULL when absent */
        char *root;    /* firn.root=, NULL when absent */
        bool shell;    /* firn.shell (or firn.shell=1/yes/true) */
} Stage1Cmdline;

/* Parses the configuration text (NUL-terminated). Returns 0 and fills *ret
 * (release it with stage1_conf_done()); or -EINVAL with "line N: what is
 * wrong" in err (errlen bytes, always NUL-terminated) and *ret untouched.
 * A missing root line is an error, as are unknown directives, a wrong
 * number of words, a relative or ".."-holding mount target, repeated
 * root/timeout/emergency-shell lines and exceeding the bounds above. */
int stage1_conf_parse(const char *text, Stage1Conf *ret, char *err, size_t errlen);
void stage1_conf_done(Stage1Conf *conf);

/* Parses /proc/cmdline's text: blank-separated words, double quotes group
 * blanks into a word (and are dropped), as the kernel reads them; the last
 * occurrence of a parameter wins. Always succeeds; release with
 * stage1_cmdline_done(). */
void stage1_cmdline_parse(const char *text, Stage1Cmdline *ret);
void stage1_cmdline_done(Stage1Cmdline *cmdline);

/* Splits mount OPTIONS into mount(2) flags and the data string of the
 * other words (malloc'ed, "" when none; the caller frees it). Later words
 * win over earlier ones (ro then rw is rw). Always succeeds. */
void stage1_mount_options(const char *options, unsigned long *ret_flags, char **ret_data);

/* Whether the data string of mount options holds a `key=` or `key` word. */
bool stage1_options_have(const char *data, const char *key);
