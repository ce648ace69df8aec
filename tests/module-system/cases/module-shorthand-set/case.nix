{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.b.c = mkOption { type = types.str; }; }
    { a = 1; b.c = "x"; }
  ];
}
