{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 1; }; options.b = mkOption { type = types.int; default = 1; }; }
    { a = 2; }
  ];
}
