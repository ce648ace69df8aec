/* Derivations (.drv files) exactly as Nix 2.8 writes them: the in-memory
 * form, the ATerm text (both ways), hashDerivationModulo and the paths that
 * follow from it (output paths and the .drv's own store path).
 *
 * The ATerm text, with no whitespace and no trailing newline:
 *
 *     Derive([OUTPUT,...],[INPUT,...],[SRC,...],PLATFORM,BUILDER,[ARG,...],[ENV,...])
 *     OUTPUT = (NAME,PATH,HASHALGO,HASH)     HASHALGO = "" | [r:]ALGO, HASH = "" | hex
 *     INPUT  = (DRVPATH,[OUTNAME,...])
 *     ENV    = (KEY,VALUE)
 *
 * Every list except ARGs is sorted bytewise. BUILDER, ARGs, KEYs and VALUEs
 * are written with \" \\ \n \r \t escaped and every other byte verbatim;
 * output names, paths, hash fields, output-name lists and PLATFORM are
 * written between quotes without any escaping (as Nix does).
 *
 * hashDerivationModulo H(drv), as a sha256:
 *   - fixed-output (one output "out" with a hash): sha256 of
 *     "fixed:out:" HASHALGO ":" HEX ":" OUTPATH;
 *   - otherwise sha256 of the ATerm with every INPUT's DRVPATH replaced by
 *     the hex of H(input) (entries re-sorted; inputs with equal H merge
 *     their output names). Inputs are hashed unmasked. When masking (to
 *     compute a new derivation's output paths), output paths and the env
 *     values named after outputs are printed as "".
 * Each input-addressed output o then lives at the "output:o" store path of
 * H(masked drv), named NAME or NAME-o.
 *
 * Memory: a Derivation and everything in it is malloc'ed and owned by it;
 * its arrays stay sorted and duplicate-free (the add/set functions keep them
 * so), so drv_unparse() needs no sorting. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hash.h"
#include "store-path.h"
#include "strbuf.h"

#define DRV_EXTENSION ".drv"
/* Deepest chain of input derivations drv_table_input_hash() follows. */
#define DRV_MAX_DEPTH 4096
/* Largest ATerm drv_parse() accepts (bytes). */
#define DRV_MAX_SIZE (256u * 1024 * 1024)

typedef struct DrvOutput {
        char *name;
        char *path;      /* "" until known (or for a floating/deferred output) */
        char *hash_algo; /* "" for input-addressed, else "[r:]ALGO" */
        char *hash;      /* "" or lowercase base16 */
} DrvOutput;

typedef struct DrvInput {
        char *path;      /* the input .drv's store path */
        char **outputs;  /* the outputs used, sorted, unique */
        size_t n_outputs;
} DrvInput;

typedef struct DrvEnv {
        char *name;
        char *value;
} DrvEnv;

typedef struct Derivation {
        char *name;      /* not in the ATerm: the .drv's name without ".drv" */
        DrvOutput *outputs;
        size_t n_outputs;
        DrvInput *inputs;
        size_t n_inputs;
        char **srcs;
        size_t n_srcs;
        char *platform;
        char *builder;
        char **args;     /* in order */
        size_t n_args;
        DrvEnv *env;
        size_t n_env;
} Derivation;

typedef enum DrvType {
        DRV_TYPE_INPUT_ADDRESSED, /* every output has a path, no hash */
        DRV_TYPE_DEFERRED,        /* every output empty: paths not computed yet */
        DRV_TYPE_FIXED,           /* one output "out" with a hash */
        DRV_TYPE_FLOATING,        /* content-addressed, hash unknown (ca-derivations) */
        DRV_TYPE_IMPURE,          /* impure-derivations */
} DrvType;

/* A new, empty derivation named name (platform, builder ""). Never NULL. */
Derivation *drv_new(const char *name);
/* Frees drv and all it owns; accepts NULL; returns NULL. */
Derivation *drv_free(Derivation *drv);
static inline void drv_freep(Derivation **drv) {
        drv_free(*drv);
}
#define _cleanup_drv_ _cleanup_(drv_freep)

void drv_set_platform(Derivation *drv, const char *platform);
void drv_set_builder(Derivation *drv, const char *builder);
void drv_add_arg(Derivation *drv, const char *arg);
/* Sets (adds or replaces) an environment variable. */
void drv_set_env(Derivation *drv, const char *name, const char *value);
/* The value of env var name, or NULL. */
const char *drv_get_env(const Derivation *drv, const char *name);
/* Adds a source store path to inputSrcs (no-op if present). */
void drv_add_src(Derivation *drv, const char *path);
/* Records that drv uses output `output` of the derivation drv_path. */
void drv_add_input(Derivation *drv, const char *drv_path, const char *output);
/* Sets (adds or replaces) an output; NULL fields mean "". */
void drv_set_output(Derivation *drv, const char *name, const char *path, const char *hash_algo, const char *hash);
DrvOutput *drv_find_output(const Derivation *drv, const char *name);

/* Classifies drv by its outputs (Nix's BasicDerivation::type()). Returns 0
 * and the type, or -EINVAL with a malloc'ed message in Nix's words in
 * *ret_error (if non-NULL): no outputs, mixed kinds, or a fixed output
 * that is not alone or not named "out". */
int drv_type(const Derivation *drv, DrvType *ret, char **ret_error);

/* NAME, or NAME "-" OUTPUT unless OUTPUT is "out" (malloc'ed). */
char *drv_output_path_name(const char *drv_name, const char *output);

/* Appends the ATerm of drv to out. With mask_outputs, output paths and the
 * env values named after outputs are written as "". inputs/n_inputs, when
 * inputs is not NULL, replace drv's inputDrvs in the text (they must be
 * sorted by path). */
void drv_unparse(const Derivation *drv, bool mask_outputs, const DrvInput *inputs, size_t n_inputs, StrBuf *out);

/* Parses an ATerm (len bytes; need not be NUL-terminated) into a new
 * Derivation named name. Returns 0, or -EINVAL (bad syntax, a path not
 * starting with '/', a bad hash, an unknown algorithm, a text larger than
 * DRV_MAX_SIZE) or -EOPNOTSUPP (floating or impure outputs, which need
 * Nix's experimental features) with a malloc'ed message in *ret_error (if
 * non-NULL). Lists are sorted and deduplicated as they are read. */
int drv_parse(const char *text, size_t len, const char *name, Derivation **ret, char **ret_error);

/* What hashDerivationModulo yields: for a fixed-output derivation the hash
 * of its one output "out" (fixed = true); otherwise one hash shared by all
 * outputs. */
typedef struct DrvHash {
        bool fixed;
        Hash hash; /* sha256 */
} DrvHash;

/* Gives the (unmasked) DrvHash of the input derivation drv_path. Returns
 * >= 0, or a negative errno and, if it has one, a malloc'ed message in
 * *ret_error. */
typedef int (*DrvInputHashFn)(void *userdata, const char *drv_path, DrvHash *ret, char **ret_error);

/* hashDerivationModulo (see the top). store_dir NULL means
 * STORE_DIR_DEFAULT. Returns 0, or a negative errno with a malloc'ed message
 * in *ret_error (if non-NULL): from drv_type(), input_hash (passed
 * through; a message of its own or none), a fixed-output input asked for an
 * output other than "out" (-ENOENT), a bad fixed-output hash (-EINVAL),
 * floating or impure outputs (-EOPNOTSUPP). */
int drv_hash_modulo(const Derivation *drv, bool mask_outputs, const char *store_dir, DrvInputHashFn input_hash,
                    void *userdata, DrvHash *ret, char **ret_error);

/* Completes a new derivation as Nix's derivationStrict does: a fixed-output
 * derivation (out has hash_algo and hash) gets its output path; otherwise
 * every output is masked, the masked derivation hashed and each output path
 * computed. Either way env[OUTPUT] is set to the output's path. Returns 0,
 * or fails like drv_hash_modulo() and store_path_make() (bad name: -EINVAL
 * with Nix's message). */
int drv_fill_outputs(Derivation *drv, const char *store_dir, DrvInputHashFn input_hash, void *userdata,
                     char **ret_error);

/* The store path of the .drv file: a text path named NAME ".drv" whose
 * references are inputSrcs and the input .drv paths. Returns 0 and a
 * malloc'ed path, or -EINVAL with a message (bad name). If ret_text is not
 * NULL, the ATerm is handed over there (malloc'ed) as well. */
int drv_compute_path(const Derivation *drv, const char *store_dir, char **ret_path, char **ret_text,
                     char **ret_error);

/* A set of derivations by .drv path, with their hashDerivationModulo
 * memoised (Nix's drvHashes): the derivations an evaluation instantiated,
 * and those read on demand through `read` (may be NULL). */
typedef struct DrvTable DrvTable;

/* Reads the derivation at drv_path. Returns >= 0 and a new Derivation, or
 * a negative errno with a malloc'ed message in *ret_error. */
typedef int (*DrvReadFn)(void *userdata, const char *drv_path, Derivation **ret_drv, char **ret_error);

/* store_dir NULL means STORE_DIR_DEFAULT. Never NULL. */
DrvTable *drv_table_new(const char *store_dir, DrvReadFn read, void *userdata);
DrvTable *drv_table_free(DrvTable *t);
/* Records drv (the table takes ownership) as the contents of drv_path. If
 * drv_path is known already, drv is freed and the first one kept (a .drv
 * path is the hash of its contents), so pointers handed out stay valid. */
void drv_table_put(DrvTable *t, const char *drv_path, Derivation *drv);
/* The derivation at drv_path, reading it if needed; NULL with -errno and
 * message as DrvReadFn (or -ENOENT "derivation '…' is not known" without a
 * reader). The table keeps ownership. */
int drv_table_get(DrvTable *t, const char *drv_path, const Derivation **ret, char **ret_error);
/* A DrvInputHashFn; userdata is the DrvTable. Computes recursively and
 * memoises; a chain deeper than DRV_MAX_DEPTH fails with -ELOOP. */
int drv_table_input_hash(void *table, const char *drv_path, DrvHash *ret, char **ret_error);
