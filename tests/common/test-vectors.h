/* For unit tests checked against JSON vectors computed by Nix 2.8: loads the
 * file named on the command line into vector_file and runs the cmocka
 * tests. Returns the process exit code (2 for a usage or load error). */
#pragma once

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

extern json_t *vector_file;

int test_vectors_run(int argc, char *argv[], const char *file_name,
                     const struct CMUnitTest *tests, size_t n_tests);

#define TEST_VECTORS_RUN(argc, argv, file_name, tests) \
        test_vectors_run(argc, argv, file_name, tests, sizeof(tests) / sizeof((tests)[0]))
