{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.int; }; }
    { l = lib.mkOverride 20 [ 1 ]; }
    { l = lib.mkOverride 20 [ 2 ]; }
    { l = lib.mkOverride 30 [ 3 ]; }
    { l = [ 4 ]; }
  ];
  check = r: builtins.sort builtins.lessThan r.config.l;
}
