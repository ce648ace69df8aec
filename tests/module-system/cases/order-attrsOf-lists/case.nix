{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.attrsOf (types.listOf types.str); }; }
    { a.k = [ "later" ]; }
    { a.k = lib.mkBefore [ "first" ]; }
  ];
}
