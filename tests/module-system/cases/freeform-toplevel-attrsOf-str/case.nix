{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        freeformType = types.attrsOf types.str;
        options.port = mkOption { type = types.port; default = 8080; };
      }
    { logLevel = "debug"; }
    { name = "srv"; }
  ];
}
