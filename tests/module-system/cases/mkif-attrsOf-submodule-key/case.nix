{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.m = mkOption { type = types.attrsOf (types.submodule { options.v = mkOption { type = types.int; default = 1; }; }); default = { }; }; }
    { m.kept = { }; m.gone = lib.mkIf false { v = 2; }; }
  ];
}
