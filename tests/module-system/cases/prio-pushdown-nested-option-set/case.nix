{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s.x = mkOption { type = types.int; }; options.s.y = mkOption { type = types.int; default = 0; }; }
    { config = lib.mkDefault { s = { x = 1; y = 1; }; }; }
    { s.x = 2; }
  ];
}
