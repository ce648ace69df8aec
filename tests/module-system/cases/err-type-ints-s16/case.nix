{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.ints.s16; }; }
    ./a.nix
  ];
}
