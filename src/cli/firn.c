/* firn: the command-line entry point. Parses the subcommand and hands over
 * to it; each subcommand lives in its own cmd-*.c file. */
#include <errno.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



#include "big-stack.h"
#include "builtin-deb.h"
#include "cleanup.h"
#include "cli-store.h"
#include "commands.h"
#include "gc-alloc.h"

typedef struct Command {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *help;
        bool evaluates; /* needs the big stack (see ensure_big_stack) */
} Command;

static const Command commands[] = {
        { "eval", cmd_eval, "evaluate a Nix expression and print its value", true },
        { "instantiate", cmd_instantiate, "nix-instantiate compatible evaluation", true },
        { "builtins", cmd_builtins, "list the builtins with their documentation" },
        { "options", cmd_options, "list the options of the system modules (and of a configuration)", true },
        { "build", cmd_build, "evaluate, instantiate and build; link ./result", true },
        { "log", cmd_log, "print the stored build log of a derivation or output" },
        { "store", cmd_store, "add, dump, restore, query, verify, delete and collect store paths" },
        { "profile", cmd_profile, "list, switch and delete the generations of a profile" },
        { "copy", cmd_copy, "copy closures to or from a binary cache (--to URL, --from URL)" },
        { "pkgs", cmd_pkgs, "search, show, resolve and explain the Debian packages in apt's index" },
        { "system", cmd_system, "build a machine from its configuration (build, build-vm)", true },
        { "lock", cmd_lock, "write firn.lock for an expression, or update it (--update)", true },
        { "key", cmd_key, "generate binary-cache signing keys" },
};

static void usage(FILE *f) {
        fputs("Usage: firn [--store ROOT] COMMAND [ARGS...]\n\nCommands:\n", f);
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].help);
}

/* Evaluation recurses on the C stack. Where the sanitizers cannot follow a
 * switch of stacks, raise RLIMIT_STACK and re-execute once instead; the
 * depth bound (not a segfault) is then what stops a runaway recursion. */
#if defined(__SANITIZE_ADDRESS__)
#define REEXEC_FOR_STACK 1
#else
#define REEXEC_FOR_STACK 0
#endif
#define WANTED_STACK ((rlim_t) 1 << 30)

static void ensure_big_stack(char **argv) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_STACK, &rl) < 0)
                return;
        if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= WANTED_STACK)
                return;
        if (getenv("FIRN_STACK_RAISED"))
                return; /* already tried: run with what we have */
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= WANTED_STACK ? WANTED_STACK : rl.rlim_max;
        if (setrlimit(RLIMIT_STACK, &rl) < 0)
                return;
        setenv("FIRN_STACK_RAISED", "1", 1);
        execv("/proc/self/exe", argv);
        /* If exec fails we simply continue with the smaller stack. */
}

static const Command *find_command(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (strcmp(name, commands[i].name) == 0)
                        return &commands[i];
        return NULL;
}

/* The command argv names, looking past a leading --store ROOT (before
 * argv is rewritten, so a re-exec sees the original arguments). */
static const Command *peek_command(int argc, char **argv) {
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--store") == 0)
                        i++;
                else if (strncmp(argv[i], "--store=", 8) != 0)
                        return find_command(argv[i]);
        }
        return NULL;
}

int main(int argc, char **argv) {
        const Command *peeked = peek_command(argc, argv);
        if (REEXEC_FOR_STACK && peeked && peeked->evaluates)
                ensure_big_stack(argv);
        unsetenv("FIRN_STACK_RAISED");
        argc = cli_take_store_option(argc, argv);
        if (argc < 0)
                return 1;
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
        const Command *cmd = find_command(argv[1]);
        if (!cmd) {
                fprintf(stderr, "firn: unknown command '%s'\n", argv[1]);
                usage(stderr);
                return 1;
        }
        gc_setup();
        if (deb_builtins_register() < 0) {
                fprintf(stderr, "firn: cannot register the Debian builders\n");
                return 1;
        }
        int r;
        if (REEXEC_FOR_STACK || !cmd->evaluates || run_on_big_stack(cmd->run, argc - 1, argv + 1, &r) < 0)
                r = cmd->run(argc - 1, argv + 1);
        fflush(stdout);
        if (getenv("FIRN_SHOW_STATS"))
                gc_print_stats(stderr);
        return r;
}
