{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./bad.nix
  ];
}
