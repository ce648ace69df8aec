{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.str; }; }
    { l = lib.mkAfter [ "3" ]; }
    { l = [ "2" ]; }
    { l = lib.mkBefore [ "1" ]; }
  ];
}
