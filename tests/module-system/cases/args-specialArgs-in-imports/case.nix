{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ({ extraModule, ... }: { imports = [ extraModule ]; y = 2; })
  ];
  specialArgs = { extraModule = ./extra.nix; };
}
