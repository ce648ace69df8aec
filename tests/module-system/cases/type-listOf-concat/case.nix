{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.int; }; }
    { l = [ 3 1 ]; }
    { l = [ 2 ]; }
    { l = [ ]; }
  ];
  check = r: builtins.sort builtins.lessThan r.config.l;
}
