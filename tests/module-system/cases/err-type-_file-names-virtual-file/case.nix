{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.int; }; }
    { _file = "virtual-module.nix"; x = "wrong"; }
  ];
}
