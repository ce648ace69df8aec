/* The build graph: load the .drv closure of the targets, skip what is
 * valid, and build the rest in dependency order with up to max_jobs child
 * processes, reporting progress as it goes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build-log.h"
#include "build.h"
#include "cleanup.h"
#include "derivation.h"
#include "hash.h"
#include "store-db.h"
#include "strbuf.h"
#include "strv.h"
#include "substitute.h"
#include "xalloc.h"

typedef enum NodeState {
        NODE_WAITING,   /* some input derivation is not done */
        NODE_READY,
        NODE_RUNNING,
        NODE_DONE,
        NODE_FAILED,
} NodeState;

typedef struct Node {
        char *drv_path;
        Derivation *drv;
        NodeState state;
        bool needed;         /* reachable from a target through nodes not done */
        size_t n_pending;    /* input derivations not done yet */
        size_t *dependents;  /* nodes that have this one as input */
        size_t n_dependents;
        /* While running: */
        pid_t pid;
        int log_fd, result_fd, event_fd;
        BuildLog *log;
        StrBuf result;
        StrBuf events;       /* a partial line from event_fd */
        bool installing;     /* its builder is done: it holds no job slot */
} Node;

typedef struct Graph {
        Store *store;
        const BuildSettings *settings;
        Node *nodes;
        size_t n;
        unsigned running, done, total_to_build;
        /* Builds holding a job slot: running ones whose builder has not
         * finished yet. A build that only installs its outputs (sync,
         * register) lets the next builder start. */
        unsigned building;
        BuildResults *results;
        bool stop;           /* a failure without keep_going */
        Progress *progress;
} Graph;

static ssize_t find_node(const Graph *g, const char *drv_path) {
        for (size_t i = 0; i < g->n; i++)
                if (strcmp(g->nodes[i].drv_path, drv_path) == 0)
                        return (ssize_t) i;
        return -1;
}

/* Adds drv_path and (depth first) its input derivations; returns its index. */
static ssize_t load_node(Graph *g, const char *drv_path, unsigned depth, char **ret_error) {
        ssize_t found = find_node(g, drv_path);
        if (found >= 0)
                return found;
        if (depth > DRV_MAX_DEPTH) {
                *ret_error = xasprintf("derivation '%s' is nested too deeply", drv_path);
                return -ELOOP;
        }
        Derivation *drv = NULL;
        int r = store_read_derivation(g->store, drv_path, &drv, ret_error);
        if (r < 0)
                return r;
        g->nodes = xrealloc(g->nodes, (g->n + 1) * sizeof(Node));
        size_t idx = g->n++;
        g->nodes[idx] = (Node) { .drv_path = xstrdup(drv_path), .drv = drv, .log_fd = -1, .result_fd = -1,
                                 .event_fd = -1, .result = STRBUF_INIT, .events = STRBUF_INIT };
        for (size_t i = 0; i < drv->n_inputs; i++) {
                ssize_t dep = load_node(g, drv->inputs[i].path, depth + 1, ret_error);
                if (dep < 0)
                        return dep;
                Node *d = &g->nodes[dep];
                d->dependents = xrealloc(d->dependents, (d->n_dependents + 1) * sizeof(size_t));
                d->dependents[d->n_dependents++] = idx;
        }
        return (ssize_t) idx;
}

/* A node is done when all its outputs are valid. */
static int node_valid(Graph *g, Node *node) {
        for (size_t i = 0; i < node->drv->n_outputs; i++) {
                const char *p = node->drv->outputs[i].path;
                if (!*p)
                        return 0;
                int r = store_is_valid(g->store, p);
                if (r <= 0)
                        return r;
        }
        return 1;
}

/* ---- progress ---- */

/* An event: "start" or "done" or "failed" of a build. */
static void progress_event(Graph *g, const char *event, const Node *node) {
        progress_set_builds(g->progress, g->done, g->total_to_build, g->running);
        progress_build_event(g->progress, event, node->drv_path, node->drv->name);
}

static void progress_log_line(Graph *g, const Node *node, const char *data, size_t len) {
        if (g->settings->print_build_logs)
                progress_build_output(g->progress, node->drv_path, node->drv->name, data, len);
}

/* Lines from a build's event pipe (builtin:fetchurl's downloads). */
static void node_events(Graph *g, Node *node, const char *data, size_t len) {
        strbuf_add(&node->events, data, len);
        char *p = node->events.buf, *nl;
        while ((nl = memchr(p, '\n', node->events.len - (size_t) (p - node->events.buf)))) {
                *nl = 0;
                ProgressDownload d;
                if (strcmp(p, BUILD_EVENT_INSTALLING) == 0) {
                        if (!node->installing) {
                                node->installing = true;
                                g->building--;
                        }
                } else if (progress_download_parse(p, &d) >= 0)
                        progress_download(g->progress, &d);
                p = nl + 1;
        }
        size_t rest = node->events.len - (size_t) (p - node->events.buf);
        if (rest > 65536) /* no line is that long: drop it */
                rest = 0;
        memmove(node->events.buf, p, rest);
        node->events.len = rest;
        node->events.buf[rest] = 0;
}

/* ---- running builds ---- */

static void child_run(Graph *g, Node *node, int log_w, int result_w, int event_w) {
        /* A fresh store connection: SQLite handles must not cross fork. */
        Store *store = NULL;
        char *error = NULL;
        BuildSettings settings = *g->settings;
        settings.event_fd = event_w;
        int r = store_open(g->store->root, &store, &error);
        if (r >= 0)
                r = build_derivation(store, node->drv_path, &settings, log_w, &error);
        if (r < 0 && error) {
                size_t len = strlen(error);
                (void) !write(result_w, error, len);
        }
        store_free(store);
        _exit(r < 0 ? 1 : 0);
}

static int start_build(Graph *g, Node *node) {
        int logp[2], resp[2], evp[2];
        if (pipe2(logp, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(resp, O_CLOEXEC) < 0) {
                close(logp[0]);
                close(logp[1]);
                return -errno;
        }
        if (pipe2(evp, O_CLOEXEC) < 0) {
                close(logp[0]), close(logp[1]), close(resp[0]), close(resp[1]);
                return -errno;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(logp[0]), close(logp[1]), close(resp[0]), close(resp[1]), close(evp[0]), close(evp[1]);
                return r;
        }
        if (pid == 0) {
                close(logp[0]);
                close(resp[0]);
                close(evp[0]);
                signal(SIGPIPE, SIG_DFL);
                child_run(g, node, logp[1], resp[1], evp[1]);
        }
        close(logp[1]);
        close(resp[1]);
        close(evp[1]);
        node->pid = pid;
        node->log_fd = logp[0];
        node->result_fd = resp[0];
        node->event_fd = evp[0];
        node->log = build_log_open(g->store, node->drv_path);
        node->state = NODE_RUNNING;
        g->running++;
        g->building++;
        progress_event(g, "start", node);
        return 0;
}

static void add_failure(Graph *g, const char *drv_path, char *message) {
        BuildResults *res = g->results;
        res->failures = xrealloc(res->failures, (res->n_failures + 1) * sizeof(BuildFailure));
        res->failures[res->n_failures++] = (BuildFailure) { .drv_path = xstrdup(drv_path), .message = message };
}

/* Marks everything that depends on node as failed (transitively). */
static void fail_dependents(Graph *g, Node *node) {
        for (size_t i = 0; i < node->n_dependents; i++) {
                Node *d = &g->nodes[node->dependents[i]];
                if (!d->needed || d->state == NODE_FAILED || d->state == NODE_DONE)
                        continue;
                d->state = NODE_FAILED;
                add_failure(g, d->drv_path,
                            xasprintf("dependency '%s' of '%s' failed to build", node->drv_path, d->drv_path));
                fail_dependents(g, d);
        }
}

static void finish_build(Graph *g, Node *node, int status) {
        g->running--;
        if (!node->installing)
                g->building--;
        if (node->log_fd >= 0)
                close(node->log_fd);
        if (node->event_fd >= 0)
                close(node->event_fd);
        close(node->result_fd);
        node->log_fd = node->result_fd = node->event_fd = -1;
        bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (ok) {
                node->state = NODE_DONE;
                g->done++;
                g->results->built++;
                progress_event(g, "done", node);
                for (size_t i = 0; i < node->n_dependents; i++) {
                        Node *d = &g->nodes[node->dependents[i]];
                        if (d->needed && d->state == NODE_WAITING && --d->n_pending == 0)
                                d->state = NODE_READY;
                }
        } else {
                node->state = NODE_FAILED;
                StrBuf msg = STRBUF_INIT;
                strbuf_adds(&msg, node->result.len ? node->result.buf : "build process crashed");
                _cleanup_free_ char *tail = build_log_tail(node->log, BUILD_LOG_TAIL_LINES, "       > ");
                if (*tail) {
                        unsigned lines = 0;
                        for (const char *p = tail; *p; p++)
                                lines += *p == '\n';
                        strbuf_addf(&msg, ";\n       last %u log lines:\n%s", lines, tail);
                        strbuf_addf(&msg, "       For full logs, run 'firn log %s'.", node->drv_path);
                }
                add_failure(g, node->drv_path, strbuf_detach(&msg, NULL));
                progress_event(g, "failed", node);
                fail_dependents(g, node);
                if (!g->settings->keep_going)
                        g->stop = true;
        }
        build_log_close(node->log);
        node->log = NULL;
        strbuf_release(&node->result);
        strbuf_release(&node->events);
}

/* Waits for output from running builds and for their exits. */
static void poll_builds(Graph *g) {
        struct pollfd *fds = xcalloc(g->running * 3, sizeof(struct pollfd));
        Node **owners = xcalloc(g->running * 3, sizeof(Node *));
        size_t n = 0;
        for (size_t i = 0; i < g->n; i++) {
                Node *node = &g->nodes[i];
                if (node->state != NODE_RUNNING)
                        continue;
                if (node->log_fd >= 0) {
                        fds[n] = (struct pollfd) { .fd = node->log_fd, .events = POLLIN };
                        owners[n++] = node;
                }
                if (node->event_fd >= 0) {
                        fds[n] = (struct pollfd) { .fd = node->event_fd, .events = POLLIN };
                        owners[n++] = node;
                }
                fds[n] = (struct pollfd) { .fd = node->result_fd, .events = POLLIN };
                owners[n++] = node;
        }
        if (poll(fds, n, -1) < 0 && errno != EINTR) {
                free(fds);
                free(owners);
                return;
        }
        char buf[65536];
        for (size_t i = 0; i < n; i++) {
                if (!fds[i].revents)
                        continue;
                Node *node = owners[i];
                ssize_t k = read(fds[i].fd, buf, sizeof(buf));
                if (fds[i].fd == node->log_fd) {
                        if (k > 0) {
                                build_log_write(node->log, buf, (size_t) k);
                                progress_log_line(g, node, buf, (size_t) k);
                        } else if (k == 0) {
                                /* Builder done with its output; keep waiting for the result. */
                                close(node->log_fd);
                                node->log_fd = -1;
                        }
                        continue;
                }
                if (fds[i].fd == node->event_fd) {
                        if (k > 0)
                                node_events(g, node, buf, (size_t) k);
                        else if (k == 0) {
                                close(node->event_fd);
                                node->event_fd = -1;
                        }
                        continue;
                }
                if (k > 0) {
                        strbuf_add(&node->result, buf, (size_t) k);
                        continue;
                }
                if (k < 0 && errno == EINTR)
                        continue;
                /* The child closed its result pipe: it exited. Drain the log. */
                while (node->log_fd >= 0 && (k = read(node->log_fd, buf, sizeof(buf))) > 0)
                        build_log_write(node->log, buf, (size_t) k);
                while (node->event_fd >= 0 && (k = read(node->event_fd, buf, sizeof(buf))) > 0)
                        node_events(g, node, buf, (size_t) k);
                int status = 0;
                while (waitpid(node->pid, &status, 0) < 0 && errno == EINTR)
                        ;
                finish_build(g, node, status);
        }
        free(fds);
        free(owners);
}

/* Marks what must be built to make idx done: idx itself, unless it is done
 * or a cache has all its outputs (then it is fetched and its inputs are not
 * needed), and, recursively, its inputs. */
static int mark_needed(Graph *g, Substituter *subst, size_t idx) {
        Node *node = &g->nodes[idx];
        if (node->needed || node->state == NODE_DONE)
                return 0;
        if (substituter_enabled(subst)) {
                _cleanup_strv_free_ char **outs = NULL;
                for (size_t i = 0; i < node->drv->n_outputs; i++)
                        outs = strv_push(outs, node->drv->outputs[i].path);
                char *warning = NULL;
                int r = substituter_fetch(subst, g->store, outs, &warning);
                if (warning)
                        progress_message(g->progress, "warning: %s", warning);
                free(warning);
                if (r < 0)
                        return r;
                if (r > 0) {
                        node->state = NODE_DONE;
                        g->results->substituted++;
                        return 0;
                }
        }
        node->needed = true;
        for (size_t i = 0; i < node->drv->n_inputs; i++) {
                ssize_t d = find_node(g, node->drv->inputs[i].path);
                if (d >= 0) {
                        int r = mark_needed(g, subst, (size_t) d);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static unsigned cpu_count(void) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? (unsigned) n : 1;
}

int build_realise(Store *store, const BuildSettings *settings_in, const DerivedPath *targets, size_t n_targets,
                  BuildResults *ret, char **ret_error) {
        BuildSettings settings = *settings_in;
        if (!settings.max_jobs)
                settings.max_jobs = cpu_count();
        if (!settings.cores)
                settings.cores = cpu_count();
        *ret = (BuildResults) { 0 };
        Graph g = { .store = store, .settings = &settings, .results = ret };
        g.progress = progress_new(settings.progress, settings.log_format);
        /* Initialised once here rather than in every build child. */
        hash_ctx_free(hash_ctx_new(HASH_SHA256));
        int r = 0;
        _cleanup_free_ size_t *target_nodes = xcalloc(n_targets ? n_targets : 1, sizeof(size_t));
        for (size_t i = 0; r >= 0 && i < n_targets; i++) {
                r = store_add_temp_root(store, targets[i].drv_path);
                if (r >= 0) {
                        ssize_t idx = load_node(&g, targets[i].drv_path, 0, ret_error);
                        if (idx < 0)
                                r = (int) idx;
                        else
                                target_nodes[i] = (size_t) idx;
                }
        }
        /* Valid nodes are done. */
        for (size_t i = 0; r >= 0 && i < g.n; i++) {
                int v = node_valid(&g, &g.nodes[i]);
                if (v < 0)
                        r = v;
                else if (v > 0) {
                        g.nodes[i].state = NODE_DONE;
                        ret->already_valid++;
                }
        }
        /* What the caches have is fetched; the rest is needed. */
        Substituter *subst = NULL;
        if (r >= 0)
                r = substituter_new(settings.conf, &subst, ret_error);
        if (r >= 0)
                substituter_set_progress(subst, progress_cache_event, g.progress);
        for (size_t i = 0; r >= 0 && i < n_targets; i++)
                r = mark_needed(&g, subst, target_nodes[i]);
        substituter_free(subst);
        /* Needed nodes wait for their needed inputs. */
        for (size_t i = 0; r >= 0 && i < g.n; i++) {
                Node *node = &g.nodes[i];
                if (!node->needed)
                        continue;
                g.total_to_build++;
                for (size_t k = 0; k < node->drv->n_inputs; k++) {
                        ssize_t d = find_node(&g, node->drv->inputs[k].path);
                        if (d >= 0 && g.nodes[d].needed)
                                node->n_pending++;
                }
                node->state = node->n_pending ? NODE_WAITING : NODE_READY;
        }
        while (r >= 0) {
                /* At most max_jobs builders, and as many more builds
                 * installing their outputs. */
                for (size_t i = 0; i < g.n && !g.stop && g.building < settings.max_jobs &&
                                   g.running < 2 * settings.max_jobs;
                     i++)
                        if (g.nodes[i].state == NODE_READY) {
                                int s = start_build(&g, &g.nodes[i]);
                                if (s < 0) {
                                        g.nodes[i].state = NODE_FAILED;
                                        add_failure(&g, g.nodes[i].drv_path,
                                                    xasprintf("cannot start a build: %s", strerror(-s)));
                                        fail_dependents(&g, &g.nodes[i]);
                                        if (!settings.keep_going)
                                                g.stop = true;
                                }
                        }
                if (g.running == 0)
                        break;
                poll_builds(&g);
        }
        g.progress = progress_free(g.progress);
        for (size_t i = 0; i < g.n; i++) {
                drv_free(g.nodes[i].drv);
                free(g.nodes[i].drv_path);
                free(g.nodes[i].dependents);
                strbuf_release(&g.nodes[i].result);
                strbuf_release(&g.nodes[i].events);
        }
        free(g.nodes);
        if (r < 0)
                return r;
        return ret->n_failures ? -EIO : 0;
}

void build_results_done(BuildResults *r) {
        for (size_t i = 0; i < r->n_failures; i++) {
                free(r->failures[i].drv_path);
                free(r->failures[i].message);
        }
        free(r->failures);
        *r = (BuildResults) { 0 };
}
