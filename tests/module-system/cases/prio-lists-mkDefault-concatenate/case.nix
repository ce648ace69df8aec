{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.int; default = [ 0 ]; }; }
    { l = lib.mkDefault [ 1 ]; }
    { l = lib.mkDefault [ 2 ]; }
  ];
  check = r: builtins.sort builtins.lessThan r.config.l;
}
