/* Build logs, kept as Nix keeps them: bzip2-compressed in
 * LOGDIR/drvs/XX/REST.bz2, where XXREST is the .drv's file name and LOGDIR
 * is ROOT/nix/var/log/nix. The last lines are also kept in memory for the
 * error message of a failed build. */
#pragma once

#include <stddef.h>

#include "store.h"

#define BUILD_LOG_TAIL_LINES 25

typedef struct BuildLog BuildLog;

/* Starts the log of drv_path (written under a temporary name until
 * build_log_close). Never fails: when the file cannot be created, the log is
 * only kept in memory. */
BuildLog *build_log_open(Store *store, const char *drv_path);
void build_log_write(BuildLog *log, const void *data, size_t len);
/* The last n (at most BUILD_LOG_TAIL_LINES) complete or partial lines,
 * each prefixed by prefix and ending in '\n'. Malloc'ed. */
char *build_log_tail(const BuildLog *log, unsigned n, const char *prefix);
/* Finishes the file and moves it into place; frees log. */
void build_log_close(BuildLog *log);

/* Reads the stored log of drv_path, decompressed. -ENOENT when there is
 * none. */
int build_log_read(Store *store, const char *drv_path, char **ret_data, size_t *ret_len);
