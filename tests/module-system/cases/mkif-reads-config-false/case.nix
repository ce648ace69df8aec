{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a.enable = mkOption { type = types.bool; default = false; };
        options.b = mkOption { type = types.int; default = 0; };
      }
    ({ config, lib, ... }: { config = lib.mkIf config.a.enable { b = 1; }; })
  ];
}
