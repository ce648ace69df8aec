{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 0; }; options.b = mkOption { type = types.int; default = 0; }; options.c = mkOption { type = types.int; default = 0; }; }
    {
        config = lib.mkMerge [
          { a = 1; }
          (lib.mkIf false { b = 2; })
          (lib.mkIf true { c = 3; })
        ];
      }
  ];
}
