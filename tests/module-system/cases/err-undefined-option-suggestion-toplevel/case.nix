{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.enable = mkOption { type = types.bool; default = false; }; options.port = mkOption { type = types.port; default = 1; }; }
    ./a.nix
  ];
}
