/* A test helper for unpack-compare.py: unpacks .debs with deb_unpack()
 * (not installed).
 *
 *   unpack-tool DEB... OUTDIR   unpacks each DEB into OUTDIR, in order
 *
 * Exits 1 at the first failure, after printing its message; the caller
 * removes OUTDIR. */
#include <stdio.h>
#include <stdlib.h>

#include "cleanup.h"
#include "unpack.h"

int main(int argc, char *argv[]) {
        if (argc < 3) {
                fputs("usage: unpack-tool DEB... OUTDIR\n", stderr);
                return EXIT_FAILURE;
        }
        for (int i = 1; i < argc - 1; i++) {
                _cleanup_free_ char *error = NULL;
                if (deb_unpack(argv[i], argv[argc - 1], &error) < 0) {
                        fprintf(stderr, "unpack-tool: %s\n", error ? error : "failed");
                        return EXIT_FAILURE;
                }
        }
        return EXIT_SUCCESS;
}
