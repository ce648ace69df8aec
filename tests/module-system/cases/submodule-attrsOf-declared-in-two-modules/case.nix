{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.m = mkOption { type = types.attrsOf (types.submodule { options.a = mkOption { type = types.int; default = 1; }; }); }; }
    { options.m = mkOption { type = types.attrsOf (types.submodule ({ name, ... }: { options.b = mkOption { type = types.str; default = name; }; })); }; }
    { m.k = { }; m.j.a = 2; }
  ];
}
