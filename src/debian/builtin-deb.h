/* The builders of Debian packages, registered with build's builtin table
 * (builtin_builder_register()); like builtin:fetchurl they run in the
 * build process, outside the sandbox.
 *
 * builtin:fetch-deb — a fixed-output derivation (flat sha256 from the
 * index) whose environment names one package: debName, debVersion,
 * debArchitecture, debFilename. The .deb comes from the apt source
 * (source.h); the declared hash is checked by the build as for every
 * fixed-output derivation, so a file that differs registers nothing.
 *
 * builtin:unpack-deb — output "out": the .debs listed in `debs` (store
 * paths separated by whitespace; the members of one dependency component,
 * pkgs-eval.h) unpacked into one tree (unpack.h), plus
 * out/nix-support/depends: the store paths listed in `depends` (the
 * packages the component depends on), one per line, so reference scanning
 * makes them the output's references. On failure nothing is left at the
 * output's path. */
#pragma once

/* Registers both. Returns 0 or a negative errno. */
int deb_builtins_register(void);
