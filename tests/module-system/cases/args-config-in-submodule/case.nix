{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption {
          type = types.submodule ({ config, ... }: {
            options.a = mkOption { type = types.int; default = 1; };
            options.b = mkOption { type = types.int; default = config.a * 10; };
          });
          default = { };
        };
      }
    { s.a = 4; }
  ];
}
