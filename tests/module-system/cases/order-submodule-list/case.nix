{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule { options.l = mkOption { type = types.listOf types.str; default = [ ]; }; }; default = { }; }; }
    { s.l = lib.mkAfter [ "z" ]; }
    { s.l = [ "a" ]; }
  ];
}
