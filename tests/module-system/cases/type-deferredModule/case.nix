{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.mod = mkOption { type = types.deferredModule; }; }
    { mod = { options.x = mkOption { type = types.int; default = 1; }; options.y = mkOption { type = types.int; default = 1; }; }; }
    { mod = { x = 2; }; }
    { mod = { config, ... }: { y = config.x + 10; }; }
  ];
  check = r: (lib.evalModules { modules = [ r.config.mod ]; }).config;
}
