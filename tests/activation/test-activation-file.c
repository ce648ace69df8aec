/* Unit tests of stage 2's parsers: the JSON reader, activation.json's
 * schema checks, permission strings, machine ids. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "activation-file.h"
#include "json.h"
#include "machine-id.h"

static Json *parse_ok(const char *s) {
        Json *v = NULL;
        char *error = NULL;
        int r = json_parse(s, strlen(s), &v, &error);
        if (r < 0)
                fail_msg("%s: %s", s, error);
        return v;
}

static char *parse_error(const char *s) {
        Json *v = NULL;
        char *error = NULL;
        int r = json_parse(s, strlen(s), &v, &error);
        assert_true(r < 0);
        assert_null(v);
        assert_non_null(error);
        return error;
}

static void test_json_values(void **state) {
        Json *v = parse_ok(" {\"a\": [1, -2, true, false, null, \"x\\n\\u00e9\\ud83d\\ude00\"], \"b\": {}} ");
        assert_int_equal(v->type, JSON_OBJECT);
        const Json *a = json_get(v, "a");
        assert_non_null(a);
        assert_int_equal(a->type, JSON_ARRAY);
        assert_int_equal(a->n, 6);
        assert_int_equal(a->items[0]->integer, 1);
        assert_int_equal(a->items[1]->integer, -2);
        assert_true(a->items[2]->boolean);
        assert_int_equal(a->items[3]->type, JSON_BOOL);
        assert_int_equal(a->items[4]->type, JSON_NULL);
        assert_string_equal(a->items[5]->string, "x\n\xc3\xa9\xf0\x9f\x98\x80");
        assert_int_equal(json_get(v, "b")->type, JSON_OBJECT);
        assert_null(json_get(v, "c"));
        json_free(v);

        v = parse_ok("-9223372036854775808");
        assert_true(v->integer == INT64_MIN);
        json_free(v);
}

static void test_json_errors(void **state) {
        static const char *const bad[] = {
                "",           "{",           "[1,]",         "{\"a\" 1}",   "01",     "1.5",   "1e3",
                "\"\\x\"",    "\"\\u0000\"", "\"\\ud800\"",  "\"a",         "tru",    "[1] 2", "\"\x01\"",
                "99999999999999999999",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
                free(parse_error(bad[i]));
        char *e = parse_error("{\n  \"a\": 1.5}");
        assert_string_equal(e, "2:8: only integers are supported");
        free(e);
        /* Nesting is bounded. */
        char deep[200];
        memset(deep, '[', sizeof deep - 1);
        deep[sizeof deep - 1] = 0;
        free(parse_error(deep));
}

static void test_modes(void **state) {
        mode_t m;
        assert_int_equal(activation_parse_mode("4755", &m), 0);
        assert_int_equal(m, 04755);
        assert_int_equal(activation_parse_mode("0440", &m), 0);
        assert_int_equal(m, 0440);
        assert_int_equal(activation_parse_mode("u+rx,g+x,o+x", &m), 0);
        assert_int_equal(m, 0511);
        assert_int_equal(activation_parse_mode("a+r,u+ws", &m), 0);
        assert_int_equal(m, 04644);
        assert_int_equal(activation_parse_mode("u=rwx,go=rx,g+s", &m), 0);
        assert_int_equal(m, 02755);
        assert_int_equal(activation_parse_mode("+x", &m), 0);
        assert_int_equal(m, 0111);
        assert_int_equal(activation_parse_mode("a+rwx,o-w,+t", &m), 0);
        assert_int_equal(m, 01775);
        static const char *const bad[] = { "", "8", "77777", "u+q", "u", "rwx", "u+r,,g+r" };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
                assert_int_equal(activation_parse_mode(bad[i], &m), -EINVAL);
}

static const char example[] =
        "{ \"version\": 1, \"defaultUnit\": \"multi-user.target\",\n"
        "  \"etc\": { \"sudoers\": { \"mode\": \"0440\" }, \"a/b\": { \"mode\": \"0600\", \"user\": \"alice\" } },\n"
        "  \"groups\": [ { \"name\": \"wheel\", \"gid\": null, \"members\": [\"alice\"] } ],\n"
        "  \"users\": [ { \"name\": \"alice\", \"uid\": null, \"group\": \"users\", \"createHome\": true,\n"
        "                 \"hashedPassword\": \"$6$x\", \"future\": [1, 2] },\n"
        "               { \"name\": \"sshd\", \"isSystemUser\": true } ],\n"
        "  \"wrappers\": [ { \"name\": \"ping\", \"source\": \"/nix/store/x/bin/ping\", \"setuid\": true } ] }\n";

static void test_activation_example(void **state) {
        Activation *a = NULL;
        char *error = NULL;
        int r = activation_parse(example, strlen(example), &a, &error);
        if (r < 0)
                fail_msg("%s", error);
        assert_string_equal(a->default_unit, "multi-user.target");
        assert_int_equal(a->n_etc, 2);
        assert_string_equal(a->etc[0].target, "sudoers");
        assert_int_equal(a->etc[0].mode, 0440);
        assert_int_equal(a->etc[0].uid, ACTIVATION_ID_AUTO);
        assert_string_equal(a->etc[1].user, "alice");
        assert_int_equal(a->n_groups, 1);
        assert_int_equal(a->groups[0].gid, ACTIVATION_ID_AUTO);
        assert_string_equal(a->groups[0].members[0], "alice");
        assert_null(a->groups[0].members[1]);
        assert_int_equal(a->n_users, 2);
        assert_string_equal(a->users[0].hashed_password, "$6$x");
        assert_true(a->users[0].create_home);
        assert_false(a->users[0].is_system);
        assert_string_equal(a->users[1].group, "nogroup");
        assert_string_equal(a->users[1].home, "/var/empty");
        assert_string_equal(a->users[1].shell, "/usr/sbin/nologin");
        assert_null(a->users[1].hashed_password);
        assert_true(a->users[1].is_system);
        assert_int_equal(a->n_wrappers, 1);
        assert_int_equal(a->wrappers[0].mode, 04511);
        assert_string_equal(a->wrappers[0].owner, "root");
        activation_free(a);
}

static void expect_invalid(const char *json, const char *message) {
        Activation *a = NULL;
        char *error = NULL;
        assert_int_equal(activation_parse(json, strlen(json), &a, &error), -EINVAL);
        assert_null(a);
        assert_non_null(error);
        if (!strstr(error, message))
                fail_msg("expected \"%s\" in \"%s\"", message, error);
        free(error);
}

static void test_activation_invalid(void **state) {
        expect_invalid("[]", "expected an object");
        expect_invalid("{\"version\": 2}", "only version 1");
        expect_invalid("{\"defaultUnit\": \"../x.target\"}", "not a unit name");
        expect_invalid("{\"defaultUnit\": \"multi-user\"}", "not a unit name");
        expect_invalid("{\"defaultUnit\": 3}", "expected a string");
        expect_invalid("{\"users\": [{\"name\": \"a\", \"uid\": \"5\"}]}", "users[0]: \"uid\": expected an integer or null");
        expect_invalid("{\"users\": [{\"name\": \"a:b\"}]}", "invalid user name");
        expect_invalid("{\"users\": [{\"name\": \"a\", \"description\": \"x:y\"}]}", "must not contain ':'");
        expect_invalid("{\"users\": [{\"name\": \"a\", \"home\": \"rel\"}]}", "absolute path");
        expect_invalid("{\"users\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", "declared twice");
        expect_invalid("{\"users\": [{\"name\": \"a\", \"uid\": -1}]}", "not a valid id");
        expect_invalid("{\"groups\": [{\"name\": \"g\", \"members\": [\"x y\"]}]}", "expected a user name");
        expect_invalid("{\"etc\": {\"../shadow\": {\"mode\": \"0600\"}}}", "not a relative path");
        expect_invalid("{\"etc\": {\"a//b\": {\"mode\": \"0600\"}}}", "not a relative path");
        expect_invalid("{\"etc\": {\"a\": {}}}", "missing \"mode\"");
        expect_invalid("{\"wrappers\": [{\"name\": \"a/b\", \"source\": \"/x\"}]}", "invalid wrapper name");
        expect_invalid("{\"wrappers\": [{\"name\": \"a\", \"source\": \"/x/../y\"}]}", "normalised absolute path");
        expect_invalid("{\"wrappers\": [{\"name\": \"a\", \"source\": \"/x\", \"permissions\": \"9\"}]}",
                       "invalid \"permissions\"");
}

static void test_names(void **state) {
        assert_true(activation_valid_name("root"));
        assert_true(activation_valid_name("systemd-network"));
        assert_true(activation_valid_name("_apt"));
        assert_true(activation_valid_name("host$"));
        assert_false(activation_valid_name(""));
        assert_false(activation_valid_name("1abc"));
        assert_false(activation_valid_name("-x"));
        assert_false(activation_valid_name("a b"));
        assert_false(activation_valid_name("a$b"));
        assert_false(activation_valid_name("abcdefghijklmnopqrstuvwxyz0123456"));
}

static void test_machine_id(void **state) {
        assert_true(machine_id_valid("0123456789abcdef0123456789ABCDEF\n", 33));
        assert_true(machine_id_valid("0123456789abcdef0123456789abcdef", 32));
        assert_false(machine_id_valid("", 0));
        assert_false(machine_id_valid("uninitialized\n", 14));
        assert_false(machine_id_valid("00000000000000000000000000000000\n", 33));
        assert_false(machine_id_valid("0123456789abcdef0123456789abcdeg\n", 33));
        assert_false(machine_id_valid("0123456789abcdef0123456789abcdef0\n", 34));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_json_values),        cmocka_unit_test(test_json_errors),
                cmocka_unit_test(test_modes),              cmocka_unit_test(test_activation_example),
                cmocka_unit_test(test_activation_invalid), cmocka_unit_test(test_names),
                cmocka_unit_test(test_machine_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
