{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.b = mkOption { type = types.int; default = 1; }; }
  ];
}
