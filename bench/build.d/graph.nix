# bench/build: n trivial derivations to realise, written by instantiating
# this file (nix-instantiate FILE, firn instantiate FILE), which prints the n
# .drv paths, index order.
#
# Derivation i is `/bin/sh -c 'echo i > $out'`; with shape = "chain" it is
# `echo i PREV > $out` instead, PREV the output of derivation i - 1, so each
# depends on the one before it (an n-deep chain). The host's /bin, /lib,
# /lib64 and /usr give the builder its shell: firn reads __sandboxPaths from
# the derivation, Nix gets the same list as its sandbox-paths setting.
#
#   import ./graph.nix { n = 1000; shape = "independent"; }
#   import ./graph.nix { n = 1000; shape = "chain"; }
{ n, shape }:
let
  mk = i: prev: derivation {
    name = "bench-${shape}-${toString i}";
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" "echo ${toString i}${if prev == null then "" else " ${prev}"} > $out" ];
    __sandboxPaths = "/bin /lib /lib64 /usr";
  };
  drvs =
    if shape == "chain"
    then builtins.genList (i: mk i (if i == 0 then null else builtins.elemAt drvs (i - 1))) n
    else builtins.genList (i: mk i null) n;
in drvs
