{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./mods/services/foo.nix
    ./mine.nix
  ];
  specialArgs.modulesPath = ./mods;
}
