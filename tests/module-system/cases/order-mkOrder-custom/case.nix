{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.str; }; }
    { l = lib.mkAfter [ "5" ]; }
    { l = lib.mkOrder 1200 [ "4" ]; }
    { l = [ "3" ]; }
    { l = lib.mkBefore [ "2" ]; }
    { l = lib.mkOrder 100 [ "1" ]; }
  ];
}
