{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule { options.a = mkOption { type = types.int; default = 1; }; }; }; }
    { s = { lib, ... }: { options.extra = lib.mkOption { type = lib.types.int; default = 7; }; config.a = 2; }; }
  ];
}
