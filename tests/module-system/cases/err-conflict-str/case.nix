{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.name = mkOption { type = types.str; }; }
    ./a.nix
    ./b.nix
  ];
}
