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
    { a.enable = true; }
    ({ config, lib, ... }: { config = lib.mkIf config.a.enable { b = 1; }; })
  ];
}
