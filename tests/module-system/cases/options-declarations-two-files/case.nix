{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./a.nix
    ./b.nix
  ];
  check = r: { declarations = builtins.sort builtins.lessThan (map baseNameOf r.options.s.declarations); value = r.config.s; };
}
