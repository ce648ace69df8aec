/* `firn key`: ed25519 signing keys for binary caches, in Nix's format.
 *
 *   firn key generate NAME [--secret FILE] [--public FILE]
 *       a new key pair; each half goes to its file (the secret one mode
 *       0600, no trailing newline, as nix-store --generate-binary-cache-key
 *       writes them) or, without the flag, to standard output (secret
 *       first), one line each
 *   firn key public < SECRET
 *       the public key of a secret key */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "commands.h"
#include "fileio.h"
#include "log.h"
#include "signature.h"

static void usage(FILE *f) {
        fputs("Usage: firn key generate NAME [--secret FILE] [--public FILE]\n"
              "       firn key public < SECRET-KEY-FILE\n",
              f);
}

static int key_generate(int argc, char **argv) {
        const char *secret_file = NULL, *public_file = NULL;
        static const struct option opts[] = {
                { "secret", required_argument, NULL, 's' },
                { "public", required_argument, NULL, 'p' },
                {},
        };
        optind = 0;
        int c;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0) {
                if (c == 's')
                        secret_file = optarg;
                else if (c == 'p')
                        public_file = optarg;
                else {
                        usage(stderr);
                        return 1;
                }
        }
        if (optind + 1 != argc) {
                usage(stderr);
                return 1;
        }
        _cleanup_secret_key_free_ SecretKey *key = NULL;
        char *error = NULL;
        int r = secret_key_generate(argv[optind], &key, &error);
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                free(error);
                return 1;
        }
        PublicKey pub;
        secret_key_to_public(key, &pub);
        _cleanup_free_ char *sec_text = secret_key_format(key);
        _cleanup_free_ char *pub_text = public_key_format(&pub);
        public_key_done(&pub);
        if (secret_file) {
                r = write_file_atomic(AT_FDCWD, secret_file, sec_text, strlen(sec_text), 0600);
                if (r < 0)
                        return log_error_errno(r, "writing '%s': %m", secret_file), 1;
        } else
                printf("%s\n", sec_text);
        if (public_file) {
                r = write_file_atomic(AT_FDCWD, public_file, pub_text, strlen(pub_text), 0644);
                if (r < 0)
                        return log_error_errno(r, "writing '%s': %m", public_file), 1;
        } else
                printf("%s\n", pub_text);
        return 0;
}

static int key_public(int argc, char **argv) {
        if (argc != 1) {
                usage(stderr);
                return 1;
        }
        _cleanup_free_ char *text = NULL;
        int r = read_file(STDIN_FILENO, "/dev/stdin", 64 * 1024, &text, NULL);
        if (r < 0)
                return log_error_errno(r, "reading the secret key from standard input: %m"), 1;
        _cleanup_secret_key_free_ SecretKey *key = NULL;
        char *error = NULL;
        r = secret_key_parse(text, &key, &error);
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                free(error);
                return 1;
        }
        PublicKey pub;
        secret_key_to_public(key, &pub);
        _cleanup_free_ char *pub_text = public_key_format(&pub);
        public_key_done(&pub);
        printf("%s\n", pub_text);
        return 0;
}

int cmd_key(int argc, char **argv) {
        if (argc < 2 || strcmp(argv[1], "--help") == 0) {
                usage(argc < 2 ? stderr : stdout);
                return argc < 2;
        }
        if (strcmp(argv[1], "generate") == 0)
                return key_generate(argc - 1, argv + 1);
        if (strcmp(argv[1], "public") == 0)
                return key_public(argc - 1, argv + 1);
        log_error("unknown key subcommand '%s'", argv[1]);
        usage(stderr);
        return 1;
}
