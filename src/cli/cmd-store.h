/* The `firn store` subcommands. The dispatcher (cmd-store.c) opens the
 * store and passes it; argv[0] is the subcommand's name. Each returns the
 * exit code. */
#pragma once

#include "store.h"

int cmd_store_gc(Store *store, int argc, char **argv);
int cmd_store_delete(Store *store, int argc, char **argv);
