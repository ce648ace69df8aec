{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { freeformType = types.attrsOf types.anything; options.known = mkOption { type = types.int; default = 0; }; }
    { settings.a.b = 1; settings.list = [ "x" ]; known = 5; }
    { settings.a.c = true; }
  ];
}
