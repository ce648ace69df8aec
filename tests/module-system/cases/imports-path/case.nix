{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./main.nix
  ];
}
