/* Settings in Nix's nix.conf syntax, as firn reads them from
 * /etc/firn/firn.conf (or $FIRN_CONF) and --option NAME VALUE:
 *
 *     # comment
 *     substituters = file:///srv/cache https://cache.example
 *     max-jobs = 4
 *
 * One "name = value" per line; the value runs to the end of the line
 * (whitespace trimmed). A later setting replaces an earlier one;
 * "extra-NAME = …" appends to NAME with a space. */
#pragma once

#include <stdbool.h>

typedef struct Conf Conf;

Conf *conf_new(void);
Conf *conf_free(Conf *c);

/* Reads a file into c. A missing file is fine (returns 0). Malformed lines
 * fail with -EINVAL and "FILE:LINE: expected 'name = value'". */
int conf_load_file(Conf *c, const char *path, char **ret_error);

/* Sets (or, for extra-NAME, appends to) a setting. */
void conf_set(Conf *c, const char *name, const char *value);

/* The value of name, or def when unset. Owned by c. */
const char *conf_get(const Conf *c, const char *name, const char *def);
/* name as an unsigned number ("auto" gives auto_value); def when unset or
 * malformed. */
unsigned conf_get_unsigned(const Conf *c, const char *name, unsigned def, unsigned auto_value);
/* "true"/"false" (def when unset). */
bool conf_get_bool(const Conf *c, const char *name, bool def);

/* The default configuration file: $FIRN_CONF, else /etc/firn/firn.conf. */
const char *conf_default_path(void);
