{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./m.nix
  ];
}
