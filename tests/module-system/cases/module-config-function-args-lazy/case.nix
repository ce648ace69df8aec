{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.int; default = 1; };
        options.b = mkOption { type = types.int; default = 2; };
      }
    ({ config, options, ... }: { a = config.b + 1; })
  ];
}
