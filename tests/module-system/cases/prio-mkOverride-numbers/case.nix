{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.below = mkOption { type = types.int; }; options.above = mkOption { type = types.int; }; options.equalIsPlain = mkOption { type = types.int; }; }
    { below = lib.mkOverride 99 1; above = lib.mkOverride 101 1; equalIsPlain = lib.mkOverride 100 5; }
    { below = 2; above = 2; equalIsPlain = 5; }
  ];
}
