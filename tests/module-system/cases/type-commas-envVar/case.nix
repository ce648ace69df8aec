{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.c = mkOption { type = types.commas; };
        options.e = mkOption { type = types.envVar; };
      }
    {
        c = lib.mkMerge [ "a" "b" ];
        e = lib.mkMerge [ "/bin" "/usr/bin" ];
      }
  ];
}
