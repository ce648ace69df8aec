/* measure: run a command, report its wall time and peak RSS.
 *
 *   measure OUTFILE CMD [ARGS...]
 *
 * Writes "SECONDS MAXRSS_KB" (wall time with microsecond resolution, peak
 * resident set size of the child as reported by wait4) to OUTFILE, like
 * GNU time -f '%e %M' but without its 10 ms granularity. Exits with the
 * child's exit status, or 128+N if it was killed by signal N. Used by
 * bench/lang, which falls back to /usr/bin/time when no C compiler exists.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: measure OUTFILE CMD [ARGS...]\n");
        return 125;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 125;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "measure: exec %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("measure: wait4");
            return 125;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror("measure: open output");
        return 125;
    }
    fprintf(f, "%.6f %ld\n", secs, ru.ru_maxrss);
    fclose(f);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 125;
}
