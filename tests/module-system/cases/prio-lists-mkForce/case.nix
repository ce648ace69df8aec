{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.int; }; }
    { l = [ 1 ]; }
    { l = lib.mkForce [ 2 ]; }
    { l = lib.mkForce [ 3 ]; }
  ];
  check = r: builtins.sort builtins.lessThan r.config.l;
}
