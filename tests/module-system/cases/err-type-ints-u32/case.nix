{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.ints.u32; }; }
    ./a.nix
  ];
}
