{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.nullable = mkOption { type = types.nullOr types.int; }; }
    ./a.nix
    ./b.nix
  ];
}
