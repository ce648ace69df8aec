{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.ints.s8; }; }
    ./a.nix
  ];
}
