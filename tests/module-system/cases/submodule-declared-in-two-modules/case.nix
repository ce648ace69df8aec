{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule { options.a = mkOption { type = types.int; default = 1; }; }; default = { }; description = "first declaration"; }; }
    { options.s = mkOption { type = types.submodule { options.b = mkOption { type = types.str; default = "b"; }; }; }; }
    { s.b = "set"; }
  ];
}
