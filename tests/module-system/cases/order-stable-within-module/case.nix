{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.str; }; }
    { l = lib.mkMerge [ [ "a" ] [ "b" ] (lib.mkBefore [ "c" ]) [ "d" ] (lib.mkAfter [ "e" ]) [ "f" ] ]; }
  ];
}
