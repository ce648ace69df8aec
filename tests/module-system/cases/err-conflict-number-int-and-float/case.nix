{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.n = mkOption { type = types.number; }; }
    ./a.nix
    ./b.nix
  ];
}
