{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 0; }; options.b = mkOption { type = types.str; default = "d"; }; }
    { config = lib.mkIf false { a = 1; b = "set"; }; }
  ];
}
