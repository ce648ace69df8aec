/* Realisation: making the outputs of derivations valid, by building them
 * (in the sandbox, or with a builtin builder) in dependency order, up to
 * max_jobs at a time.
 *
 * Each build runs in a child process of its own (fork, then the sandbox's
 * namespaces), so the scheduler stays single-threaded and a crashing build
 * cannot take the scheduler down. max_jobs bounds the builders running at
 * once: a build whose builder has finished and that only syncs and
 * registers its outputs frees its slot for the next one (at most max_jobs
 * such builds at a time). Outputs are locked (HASH-NAME.lock in the
 * store directory) for the whole build, so two firn processes never build
 * the same output at once; the second one waits and finds it valid.
 *
 * A build's outputs are registered in one transaction, after they are
 * canonicalised, scanned for references (the hash parts of the input
 * closure and of the outputs themselves), hashed and synced, and moved into
 * the store. A failed build registers nothing and leaves nothing valid. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"
#include "store.h"

typedef enum BuildLogFormat {
        BUILD_LOG_PLAIN,  /* one line per event */
        BUILD_LOG_BAR,    /* one live progress line (a terminal) */
        BUILD_LOG_JSON,   /* one JSON object per line */
} BuildLogFormat;

typedef struct BuildSettings {
        unsigned max_jobs;          /* builders at once; 0 = number of cores */
        unsigned cores;             /* NIX_BUILD_CORES; 0 = number of cores */
        bool keep_going;            /* go on with independent builds after a failure */
        bool print_build_logs;      /* copy builders' output to the progress stream */
        unsigned max_silent_time;   /* seconds; 0 = none */
        unsigned timeout;           /* seconds; 0 = none */
        const Conf *conf;           /* sandbox-paths, … (may be NULL) */
        BuildLogFormat log_format;
        FILE *progress;             /* where events go (stderr) */
        /* In a build child only (the scheduler sets it for
         * build_derivation): where builtin builders send download events
         * (build-log.h's progress_download_send), and build_derivation the
         * line BUILD_EVENT_INSTALLING once the builder succeeded (the job
         * slot is free while the outputs are synced and registered), or
         * -1. */
        int event_fd;
} BuildSettings;

#define BUILD_EVENT_INSTALLING "I"

/* A derivation to realise and which of its outputs are wanted (NULL: all). */
typedef struct DerivedPath {
        const char *drv_path;
        char **outputs;
} DerivedPath;

/* The failure of one derivation: its path and a message in Nix's words
 * ("builder for '…' failed with exit code 1; last 25 log lines: …"). */
typedef struct BuildFailure {
        char *drv_path;
        char *message;
} BuildFailure;

typedef struct BuildResults {
        unsigned built, substituted, already_valid;
        BuildFailure *failures;
        size_t n_failures;
} BuildResults;

/* Realises targets. Returns 0 when every wanted output is valid, else
 * -EIO with ret->failures saying why (or another negative errno and
 * *ret_error when the graph could not even be loaded). */
int build_realise(Store *store, const BuildSettings *settings, const DerivedPath *targets, size_t n_targets,
                  BuildResults *ret, char **ret_error);
void build_results_done(BuildResults *r);

/* Builds one derivation whose inputs are all valid (what each build child
 * runs). The builder's output goes to log_fd. Returns 0 when all outputs
 * are valid afterwards (built here, or by someone else meanwhile), else a
 * negative errno and a message. */
int build_derivation(Store *store, const char *drv_path, const BuildSettings *settings, int log_fd,
                     char **ret_error);
