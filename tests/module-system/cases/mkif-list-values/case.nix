{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.int; }; }
    { l = lib.mkMerge [ [ 1 ] (lib.mkIf false [ 2 ]) (lib.mkIf true [ 3 ]) ]; }
  ];
}
