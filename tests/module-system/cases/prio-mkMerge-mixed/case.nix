{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.l = mkOption { type = types.listOf types.int; }; }
    { a = lib.mkMerge [ (lib.mkDefault 1) 2 ]; l = lib.mkMerge [ (lib.mkDefault [ 1 ]) [ 2 ] [ 3 ] ]; }
  ];
}
