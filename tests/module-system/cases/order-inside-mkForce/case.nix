{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.str; }; }
    { l = lib.mkForce [ "b" ]; }
    { l = lib.mkForce (lib.mkBefore [ "a" ]); }
    { l = lib.mkBefore [ "dropped" ]; }
  ];
}
