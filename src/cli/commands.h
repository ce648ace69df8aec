/* The subcommands of firn. Each returns the process exit code. */
#pragma once

int cmd_eval(int argc, char **argv);
int cmd_instantiate(int argc, char **argv);
int cmd_builtins(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_store(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_options(int argc, char **argv);
int cmd_pkgs(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_system(int argc, char **argv);
