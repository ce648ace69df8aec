/* Running a command on a 1 GiB stack without re-executing firn. */
#pragma once

/* Calls fn(argc, argv) on a freshly mapped 1 GiB stack (reserved, touched
 * only as deep as evaluation goes) and returns its result in *ret_result.
 * The GC is told where the stack is, so gc_setup() must have run. Returns
 * 0, or a negative errno when the stack cannot be set up (the caller then
 * runs fn where it is). */
int run_on_big_stack(int (*fn)(int argc, char **argv), int argc, char **argv, int *ret_result);
