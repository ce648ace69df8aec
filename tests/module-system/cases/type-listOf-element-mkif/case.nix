{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.int; }; }
    { l = [ 1 (lib.mkIf false 2) (lib.mkIf true 3) 4 ]; }
  ];
}
