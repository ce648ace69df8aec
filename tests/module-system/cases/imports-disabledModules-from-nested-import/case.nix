{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./original.nix
    ./outer.nix
  ];
}
