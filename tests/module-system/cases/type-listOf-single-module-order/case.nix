{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.str; }; }
    { l = lib.mkMerge [ [ "c" "a" ] [ "b" ] ]; }
  ];
}
