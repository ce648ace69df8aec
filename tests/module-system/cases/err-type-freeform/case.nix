{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { freeformType = types.attrsOf types.str; }
    ./a.nix
  ];
}
