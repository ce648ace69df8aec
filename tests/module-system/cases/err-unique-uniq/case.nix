{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.u = mkOption { type = types.uniq types.int; }; }
    ./a.nix
    ./b.nix
  ];
}
