{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l1 = mkOption { type = types.listOf types.str; }; options.l2 = mkOption { type = types.listOf types.str; }; }
    {
        l1 = lib.mkMerge [ [ "a" ] (lib.mkOrder 1000 [ "b" ]) (lib.mkAfter [ "y" ]) (lib.mkAfter [ "z" ]) ];
        l2 = lib.mkMerge [ (lib.mkOrder 1000 [ "b" ]) [ "a" ] (lib.mkBefore [ "z" ]) (lib.mkBefore [ "y" ]) ];
      }
  ];
}
