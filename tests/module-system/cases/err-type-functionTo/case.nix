{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.functionTo types.int; }; }
    ./a.nix
  ];
}
