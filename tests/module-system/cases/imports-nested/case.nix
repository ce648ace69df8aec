{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./a.nix
    { deepest = 3; }
  ];
}
