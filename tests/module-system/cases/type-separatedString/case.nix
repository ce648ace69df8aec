{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.bar = mkOption { type = types.separatedString "|"; };
        options.none = mkOption { type = types.separatedString ""; };
      }
    {
        bar = lib.mkMerge [ "a" "b" "c" ];
        none = lib.mkMerge [ "x" "y" ];
      }
  ];
}
