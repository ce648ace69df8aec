{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.r = mkOption { type = types.raw; }; }
    ./a.nix
    ./b.nix
  ];
}
