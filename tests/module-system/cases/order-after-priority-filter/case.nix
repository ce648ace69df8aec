{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.str; }; }
    { l = lib.mkDefault (lib.mkBefore [ "dropped" ]); }
    { l = [ "b" ]; }
    { l = lib.mkBefore [ "a" ]; }
  ];
}
