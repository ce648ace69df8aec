#include "test-vectors.h"

#include <stdio.h>

json_t *vector_file;

int test_vectors_run(int argc, char *argv[], const char *file_name,
                     const struct CMUnitTest *tests, size_t n_tests) {
        if (argc != 2) {
                fprintf(stderr, "usage: %s %s\n", argv[0], file_name);
                return 2;
        }
        json_error_t err;
        vector_file = json_load_file(argv[1], 0, &err);
        if (!vector_file) {
                fprintf(stderr, "%s:%d: %s\n", argv[1], err.line, err.text);
                return 2;
        }
        int r = _cmocka_run_group_tests(argv[0], tests, n_tests, NULL, NULL);
        json_decref(vector_file);
        return r;
}
