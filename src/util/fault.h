/* Failure points for crash and I/O-error tests.
 *
 * Every step of the file helpers in fileio.h (each write, fsync, rename,
 * unlink, mkdir, symlink) and each database commit passes a failure point
 * first. The points are numbered from 1 in the order a process reaches them;
 * the environment picks one:
 *
 *     FIRN_FAULT_AT=N     step N fails with EIO (nothing of it is done)
 *     FIRN_FAULT_ERRNO=E  ... with errno E instead (e.g. 28, ENOSPC)
 *     FIRN_FAULT_KILL=N   the process kills itself with SIGKILL at step N
 *     FIRN_FAULT_TRACE=1  every step is printed to stderr as
 *                         "firn-fault: N WHAT", so a test can count them
 *
 * Without these variables a failure point costs one branch. */
#pragma once

/* Passes failure point `what` (a short name such as "fsync"). Returns 0 to
 * go on, or -EIO (or -FIRN_FAULT_ERRNO) when this is the step FIRN_FAULT_AT
 * names; does not return
 * when it is the step FIRN_FAULT_KILL names. */
int fault_point(const char *what);
