{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.str; }; }
    { l = [ "b" ]; }
    { l = lib.mkIf true (lib.mkBefore [ "a" ]); }
    { l = lib.mkIf false (lib.mkBefore [ "never" ]); }
  ];
}
