/* Logging at the edge: programs report an error once, with context.
 * Libraries do not print; they return a negative errno and, where a
 * message needs more than errno, a malloc'ed string.
 *
 *     return log_error_errno(r, "Failed to open %s: %m", path);
 *
 * %m expands to the text of -r. Messages go to stderr prefixed by the
 * program name set with log_set_program ("firn" by default). */
#pragma once

#include "cleanup.h"

void log_set_program(const char *name);

/* Prints "PROGRAM: error: MESSAGE" and returns r (a negative errno). */
int log_error_errno(int r, const char *fmt, ...) _printf_(2, 3);

/* Prints "PROGRAM: error: MESSAGE", for errors that have no errno. */
void log_error(const char *fmt, ...) _printf_(1, 2);

/* Prints "PROGRAM: warning: MESSAGE". */
void log_warning(const char *fmt, ...) _printf_(1, 2);
