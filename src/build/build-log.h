/* Build logs, kept as Nix keeps them: bzip2-compressed in
 * LOGDIR/drvs/XX/REST.bz2, where XXREST is the .drv's file name and LOGDIR
 * is ROOT/nix/var/log/nix. The last lines are also kept in memory for the
 * error message of a failed build.
 *
 * And the progress a realisation shows while it runs (Progress, below). */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "binary-cache.h"
#include "build.h"
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

/* ---- progress ----------------------------------------------------------
 *
 * What builds and downloads (substitutions, builtin:fetchurl) are doing,
 * in one of three forms (BuildLogFormat):
 *
 *   BUILD_LOG_BAR    one live line, redrawn in place (a terminal):
 *                    "[3/10 built, 1 running] [12/40 copied, 1.2 of 3.4 MiB, 2.0 MiB/s] NAME"
 *   BUILD_LOG_PLAIN  one line per event worth a line: "building '…'...",
 *                    and when a download ends, "copied path '…' from 'URL'
 *                    (SIZE, SECONDS s, RATE/s)" or "downloaded 'URL' (…)"
 *                    (never a line per chunk)
 *   BUILD_LOG_JSON   one object per line: {"action":"start"|"done"|"failed",
 *                    "drv":…,"done":N,"total":N,"running":N} for builds,
 *                    {"action":"log","drv":…,"text":…} for -L output,
 *                    {"action":"msg","text":…} for messages (warnings), and
 *                    {"action":"download","state":"queued"|"start"|
 *                    "progress"|"done"|"failed","path" or "url":…,
 *                    "from":…,"bytes":N,"expected":N,"narSize":N,
 *                    "seconds":S,"rate":BYTES_PER_SECOND} for downloads
 *                    ("progress" at most once a second per download)
 *
 * Calls may come from several threads: they are serialised inside. */

typedef struct Progress Progress;

/* f NULL shows nothing. */
Progress *progress_new(FILE *f, BuildLogFormat format);
/* Clears the live line; frees p. */
Progress *progress_free(Progress *p);

/* Build counts for the live line. */
void progress_set_builds(Progress *p, unsigned done, unsigned total, unsigned running);
/* event: "start", "done" or "failed" of drv_path (name: its derivation's
 * name, for the live line). */
void progress_build_event(Progress *p, const char *event, const char *drv_path, const char *name);
/* Output of a build, as it came (-L). */
void progress_build_output(Progress *p, const char *drv_path, const char *name, const char *data, size_t len);
/* A line of its own ("warning: …"), above the live line. */
void progress_message(Progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef enum ProgressDownloadState {
        PROGRESS_DOWNLOAD_QUEUED,
        PROGRESS_DOWNLOAD_STARTED,
        PROGRESS_DOWNLOAD_PROGRESS,
        PROGRESS_DOWNLOAD_DONE,
        PROGRESS_DOWNLOAD_FAILED,
} ProgressDownloadState;

typedef struct ProgressDownload {
        ProgressDownloadState state;
        const char *path;      /* a store path being substituted, or NULL */
        const char *url;       /* what is downloaded (fetchurl), or the cache's URL */
        uint64_t bytes;        /* received so far (compressed) */
        uint64_t expected;     /* bytes expected (FileSize, Content-Length), 0 when unknown */
        uint64_t nar_size;     /* the unpacked size, 0 when unknown */
        uint64_t usec;         /* since it started */
} ProgressDownload;

void progress_download(Progress *p, const ProgressDownload *d);

/* A BinaryCacheProgressFn: binary_cache_set_progress(cache,
 * progress_cache_event, progress) shows a cache's transfers. */
void progress_cache_event(void *progress, const BinaryCacheEvent *event);

/* Totals of the downloads so far, for a summary. */
void progress_download_totals(Progress *p, unsigned *ret_done, uint64_t *ret_bytes, uint64_t *ret_usec);

/* The child side of builtin:fetchurl's progress: a line on fd (the build's
 * event pipe) that the scheduler reads back into progress_download. fd 0
 * or below: nothing is sent. */
void progress_download_send(int fd, const ProgressDownload *d);
/* Parses one such line (without its newline); 0 or -EBADMSG. The strings
 * point into line. */
int progress_download_parse(char *line, ProgressDownload *ret);
