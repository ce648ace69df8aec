{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.single = mkOption { type = types.lines; };
        options.merged = mkOption { type = types.lines; };
      }
    {
        single = "only line";
        merged = lib.mkMerge [ "a" "b" "c" ];
      }
  ];
}
