{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { key = "example/original-module"; options.x = mkOption { type = types.str; default = "original"; }; }
    { disabledModules = [ { key = "example/original-module"; } ]; options.x = mkOption { type = types.str; default = "replacement"; }; }
  ];
}
