/* TOPLEVEL/activation.json: what a generation asks of activation beyond its
 * etc tree (README.md documents the format for the Nix side).
 *
 * activation_parse() checks every field's type and value (names, modes,
 * paths), so the steps can trust an Activation: names are valid account
 * names, etc targets are relative paths without "." or ".." components,
 * modes are at most 07777, ids fit in 32 bits and are not (uid_t) -1.
 * Unknown keys are ignored, so newer Nix modules can add fields. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* "id": null or absent: allocate one. */
#define ACTIVATION_ID_AUTO (-1LL)

/* An /etc entry that must be a real file (a copy), not a link. */
typedef struct EtcCopy {
        char *target;      /* relative to /etc, e.g. "sudoers", "ssh/ssh_host_key" */
        mode_t mode;
        bool direct_link;  /* mode "direct-symlink": /etc/TARGET is the generation's own link */
        long long uid;     /* -1: use user (default 0) */
        long long gid;     /* -1: use group (default 0) */
        char *user;        /* may be NULL */
        char *group;       /* may be NULL */
} EtcCopy;

typedef struct UserSpec {
        char *name;
        long long uid;          /* ACTIVATION_ID_AUTO: allocate */
        char *group;            /* primary group: a name, or a number as a string */
        char *description;
        char *home;
        char *shell;
        bool is_system;
        char *hashed_password;  /* NULL: keep the current hash ("!" for a new user) */
        char *hashed_password_file;     /* read at activation; wins over hashed_password */
        char *initial_hashed_password;  /* a new user's hash when no other is given */
        bool create_home;
} UserSpec;

typedef struct GroupSpec {
        char *name;
        long long gid;          /* ACTIVATION_ID_AUTO: allocate */
        char **members;         /* NULL-terminated, may be empty */
} GroupSpec;

typedef struct WrapperSpec {
        char *name;             /* a file name (no '/') */
        char *source;           /* absolute path of the program */
        char *owner, *group;    /* names or numbers as strings */
        mode_t mode;            /* permissions with setuid/setgid folded in */
} WrapperSpec;

typedef struct Activation {
        EtcCopy *etc;
        size_t n_etc;
        UserSpec *users;
        size_t n_users;
        GroupSpec *groups;
        size_t n_groups;
        WrapperSpec *wrappers;
        size_t n_wrappers;
        char *default_unit;     /* "multi-user.target", or NULL: systemd's own default */
} Activation;

/* Parses and validates the file's content. On success *ret (caller frees
 * with activation_free) and 0. On failure a negative errno (-EINVAL for
 * content errors) and *ret_error, malloc'ed, naming the field
 * ("users[2].uid: expected an integer or null"). */
int activation_parse(const char *data, size_t len, Activation **ret, char **ret_error);

/* An empty Activation (what a toplevel without activation.json means). */
Activation *activation_new_empty(void);

Activation *activation_free(Activation *a);

/* Parses a NixOS-style permission string: an octal number ("4755", "0440")
 * or symbolic clauses "u+rx,g+x,o+x" ([ugoa]*[+-=][rwxst]*, comma
 * separated; an empty who means a), applied to 0. */
int activation_parse_mode(const char *s, mode_t *ret);

/* Whether s is a valid user or group name: [A-Za-z_][A-Za-z0-9_.-]*, an
 * optional trailing '$', at most 32 bytes. */
bool activation_valid_name(const char *s);
