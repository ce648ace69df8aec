{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.bool; default = false; };
        options.b = mkOption { type = types.bool; default = false; };
        options.c = mkOption { type = types.bool; default = false; };
      }
    ({ config, lib, ... }: { config = lib.mkIf config.b { c = true; }; })
    ({ config, lib, ... }: { config = lib.mkIf config.a { b = true; }; })
    { a = true; }
  ];
}
