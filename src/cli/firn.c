/* firn: the command-line entry point. Parses the subcommand and hands over
 * to it; each subcommand lives in its own cmd-*.c file. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include <gc/gc.h>

#include "cleanup.h"
#include "commands.h"
#include "gc-alloc.h"

typedef struct Command {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *help;
} Command;

static const Command commands[] = {
        { "eval", cmd_eval, "evaluate a Nix expression and print its value" },
        { "instantiate", cmd_instantiate, "nix-instantiate compatible evaluation" },
        { "builtins", cmd_builtins, "list the builtins with their documentation" },
};

static void usage(FILE *f) {
        fputs("Usage: firn COMMAND [ARGS...]\n\nCommands:\n", f);
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
}

typedef struct Job {
        int argc;
        char **argv;
        const Command *cmd;
        int ret;
} Job;

static void *run_job(void *arg) {
        Job *job = arg;
        job->ret = job->cmd->run(job->argc, job->argv);
        return NULL;
}

int main(int argc, char **argv) {
        if (argc < 2) {
                usage(stderr);
                return 1;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                printf("firn %s\n", FIRN_VERSION);
                return 0;
        }
        const Command *cmd = NULL;
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        cmd = &commands[i];
        if (!cmd) {
                fprintf(stderr, "firn: unknown command '%s'\n", argv[1]);
                usage(stderr);
                return 1;
        }
        gc_setup();
        /* Evaluation recurses on the C stack; run it on a thread with a large
         * stack so the depth bound (not a segfault) is what stops it. */
        Job job = { argc - 1, argv + 1, cmd, 1 };
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, (size_t) 1 << 30);
        pthread_t t;
        int r = GC_pthread_create(&t, &attr, run_job, &job);
        if (r != 0) {
                fprintf(stderr, "firn: cannot start evaluator thread: %s\n", strerror(r));
                return 1;
        }
        GC_pthread_join(t, NULL);
        fflush(stdout);
        return job.ret;
}
