{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.enum [ 1 2 ]; }; }
    ./a.nix
  ];
}
