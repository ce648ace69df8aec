{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule { options.x = mkOption { type = types.int; default = 0; }; options.y = mkOption { type = types.int; default = 0; }; }; default = { }; }; }
    { s = { x = lib.mkIf false 1; y = lib.mkIf true 2; }; }
    { s = lib.mkIf false { x = 5; }; }
  ];
}
