/* File name arithmetic on strings; no file system access except getcwd. */
#pragma once

/* p made absolute (against the working directory) and canonical in the
 * lexical sense: no "." or ".." components, no repeated or trailing '/'.
 * Symlinks are not resolved. Returns a malloc'ed string, or NULL when the
 * working directory cannot be read. */
char *path_absolute(const char *p);
