{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./fn.nix
    ./set.nix
  ];
}
