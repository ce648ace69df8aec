{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./original.nix
    ./replacement.nix
  ];
  check = r: { inherit (r.config) x l; names = builtins.attrNames r.config; };
}
