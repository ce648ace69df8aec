/* Unit tests of stage 1's parsing (activation/stage-1/stage-1-conf.c) and
 * of its ext2/3/4 superblock probe (stage-1-blkdev.c), on the host. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "stage-1-blkdev.h"
#include "stage-1-conf.h"

static void test_conf_full(void **state) {
        (void) state;
        const char *text = "# written by builtin:initrd\n"
                           "module /lib/modules/virtio.ko\n"
                           "  module\t/lib/modules/ext4.ko   # trailing comment\n"
                           "\n"
                           "root LABEL=firn\\040root ext4 rw,noatime\n"
                           "mount store /nix/store 9p trans=virtio,version=9p2000.L,ro\n"
                           "mount none /tmp tmpfs\n"
                           "timeout 3\n"
                           "emergency-shell 1\n";
        Stage1Conf c;
        char err[256];
        assert_int_equal(stage1_conf_parse(text, &c, err, sizeof(err)), 0);
        assert_int_equal(c.n_modules, 2);
        assert_string_equal(c.modules[0], "/lib/modules/virtio.ko");
        assert_string_equal(c.modules[1], "/lib/modules/ext4.ko");
        assert_true(c.has_root);
        assert_string_equal(c.root.source, "LABEL=firn root");
        assert_string_equal(c.root.fstype, "ext4");
        assert_string_equal(c.root.options, "rw,noatime");
        assert_int_equal(c.n_mounts, 2);
        assert_string_equal(c.mounts[0].source, "store");
        assert_string_equal(c.mounts[0].target, "/nix/store");
        assert_string_equal(c.mounts[0].fstype, "9p");
        assert_string_equal(c.mounts[1].options, "defaults");
        assert_int_equal(c.timeout, 3);
        assert_true(c.emergency_shell);
        stage1_conf_done(&c);
}

static void test_conf_defaults(void **state) {
        (void) state;
        Stage1Conf c;
        char err[256];
        assert_int_equal(stage1_conf_parse("root none tmpfs", &c, err, sizeof(err)), 0);
        assert_int_equal(c.timeout, STAGE1_DEFAULT_TIMEOUT);
        assert_false(c.emergency_shell);
        assert_int_equal(c.n_modules, 0);
        assert_string_equal(c.root.options, "defaults");
        stage1_conf_done(&c);
}

static void expect_error(const char *text, const char *message) {
        Stage1Conf c;
        char err[256];
        assert_int_equal(stage1_conf_parse(text, &c, err, sizeof(err)), -EINVAL);
        if (!strstr(err, message))
                fail_msg("error '%s' lacks '%s'", err, message);
}

static void test_conf_errors(void **state) {
        (void) state;
        expect_error("", "no 'root' line");
        expect_error("timeout 3\n", "no 'root' line");
        expect_error("root /dev/vda ext4\nfrobnicate 1\n", "line 2: unknown directive 'frobnicate'");
        expect_error("root /dev/vda\n", "line 1: 'root' takes DEVSPEC FSTYPE [OPTIONS]");
        expect_error("root /dev/vda ext4 rw extra\n", "'root' takes");
        expect_error("root /dev/vda ext4\nroot /dev/vdb ext4\n", "line 2: a second 'root' line");
        expect_error("root /dev/vda ext4\nmount store nix/store 9p\n", "must be an absolute path");
        expect_error("root /dev/vda ext4\nmount store /nix/../etc 9p\n", "must be an absolute path");
        expect_error("root /dev/vda ext4\nmount store / 9p\n", "must be an absolute path");
        expect_error("root /dev/vda ext4\ntimeout soon\n", "timeout 'soon' is not a number");
        expect_error("root /dev/vda ext4\ntimeout 99999\n", "is not a number of seconds from 0 to 3600");
        expect_error("root /dev/vda ext4\ntimeout 3\ntimeout 4\n", "a second 'timeout' line");
        expect_error("root /dev/vda ext4\nemergency-shell yes\n", "'emergency-shell' takes 0 or 1");
        expect_error("root /dev/vda ext4\nmodule\n", "'module' takes one path");
        expect_error("root /dev/vda ext4\nmount a /b c d e f g h i j\n", "too many words");
}

static void test_cmdline(void **state) {
        (void) state;
        Stage1Cmdline c;
        stage1_cmdline_parse("BOOT_IMAGE=/vmlinuz console=ttyS0 init=/nix/store/abc-sys/init "
                             "firn.root=\"LABEL=my root\" panic=-1\n",
                             &c);
        assert_string_equal(c.init, "/nix/store/abc-sys/init");
        assert_string_equal(c.root, "LABEL=my root");
        assert_false(c.shell);
        stage1_cmdline_done(&c);

        stage1_cmdline_parse("init=/a init=/b firn.shell", &c);
        assert_string_equal(c.init, "/b");
        assert_null(c.root);
        assert_true(c.shell);
        stage1_cmdline_done(&c);

        stage1_cmdline_parse("firn.shell=0 init= firn.root=", &c);
        assert_null(c.init);
        assert_null(c.root);
        assert_false(c.shell);
        stage1_cmdline_done(&c);

        stage1_cmdline_parse("firn.shell=1 xinit=/x", &c);
        assert_true(c.shell);
        assert_null(c.init);
        stage1_cmdline_done(&c);
}

static void test_mount_options(void **state) {
        (void) state;
        unsigned long flags;
        char *data;
        stage1_mount_options("trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro", &flags, &data);
        assert_int_equal(flags, MS_RDONLY);
        assert_string_equal(data, "trans=virtio,version=9p2000.L,msize=512000,cache=loose");
        free(data);

        stage1_mount_options("ro,nosuid,nodev,noexec,noatime,rw,mode=755,,size=10%", &flags, &data);
        assert_int_equal(flags, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME);
        assert_string_equal(data, "mode=755,size=10%");
        assert_true(stage1_options_have(data, "mode"));
        assert_true(stage1_options_have(data, "size"));
        assert_false(stage1_options_have(data, "mod"));
        free(data);

        stage1_mount_options("defaults", &flags, &data);
        assert_int_equal(flags, 0);
        assert_string_equal(data, "");
        free(data);

        stage1_mount_options("relatime,nosuid,suid", &flags, &data);
        assert_int_equal(flags, MS_RELATIME);
        free(data);
}

static void test_ext_probe(void **state) {
        (void) state;
        unsigned char buf[STAGE1_EXT_PROBE_SIZE] = { 0 };
        char label[17], uuid[37];
        assert_int_equal(stage1_ext_probe(buf, sizeof(buf), label, uuid), -EINVAL);
        buf[1080] = 0x53;
        buf[1081] = 0xEF;
        memcpy(buf + 1144, "firn-root", 9);
        static const unsigned char u[16] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
                                             0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
        memcpy(buf + 1128, u, 16);
        assert_int_equal(stage1_ext_probe(buf, sizeof(buf), label, uuid), 0);
        assert_string_equal(label, "firn-root");
        assert_string_equal(uuid, "12345678-9abc-def0-0123-456789abcdef");
        /* A 16-byte label has no NUL in the superblock. */
        memcpy(buf + 1144, "0123456789abcdef", 16);
        assert_int_equal(stage1_ext_probe(buf, sizeof(buf), label, uuid), 0);
        assert_string_equal(label, "0123456789abcdef");
        assert_int_equal(stage1_ext_probe(buf, 1024, label, uuid), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_conf_full),     cmocka_unit_test(test_conf_defaults),
                cmocka_unit_test(test_conf_errors),   cmocka_unit_test(test_cmdline),
                cmocka_unit_test(test_mount_options), cmocka_unit_test(test_ext_probe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
