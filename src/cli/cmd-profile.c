/* `firn profile`: placeholder until written. */
#include <stdio.h>

#include "commands.h"

int cmd_profile(int argc, char **argv) {
        fputs("firn profile: not written yet\n", stderr);
        return 1;
}
