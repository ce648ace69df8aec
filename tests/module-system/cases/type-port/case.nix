{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.zero = mkOption { type = types.port; };
        options.http = mkOption { type = types.port; default = 80; };
        options.max = mkOption { type = types.port; };
      }
    { zero = 0; max = 65535; }
  ];
}
