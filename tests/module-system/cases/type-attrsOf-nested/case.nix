{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.attrsOf (types.attrsOf types.int); }; }
    { a.p.x = 1; }
    { a.p.y = 2; a.q = { }; }
  ];
}
