{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.doubled = mkOption { type = types.int; apply = x: x * 2; };
        options.fromDefault = mkOption { type = types.int; default = 5; apply = x: x + 1; };
        options.joined = mkOption { type = types.listOf types.str; apply = builtins.concatStringsSep ","; };
      }
    { doubled = 3; joined = lib.mkMerge [ [ "a" ] [ "b" ] ]; }
  ];
}
