{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 0; }; options.b = mkOption { type = types.int; default = 0; }; options.c = mkOption { type = types.int; default = 0; }; }
    {
        config = lib.mkIf true (lib.mkMerge [
          { a = 1; }
          { b = 2; }
          (lib.mkIf false { c = 3; })
        ]);
      }
  ];
}
