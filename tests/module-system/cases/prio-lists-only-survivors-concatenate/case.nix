{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.int; default = [ 0 ]; }; }
    { l = lib.mkDefault [ 1 ]; }
    { l = [ 2 ]; }
    { l = [ 3 ]; }
    { l = lib.mkOptionDefault [ 4 ]; }
  ];
  check = r: builtins.sort builtins.lessThan r.config.l;
}
