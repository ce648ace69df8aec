{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { freeformType = types.attrsOf (types.attrsOf types.int); }
    { group.x = 1; }
    { group.y = 2; other = { }; }
  ];
}
