{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./decl.nix
  ];
}
