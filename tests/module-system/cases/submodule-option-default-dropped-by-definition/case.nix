{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption {
          type = types.submodule { options.x = mkOption { type = types.int; default = 0; }; options.y = mkOption { type = types.int; default = 0; }; };
          default = { x = 1; y = 1; };
        };
        options.t = mkOption {
          type = types.submodule { options.x = mkOption { type = types.int; default = 0; }; options.y = mkOption { type = types.int; default = 0; }; };
          default = { x = 1; y = 1; };
        };
      }
    { s.y = 2; }
  ];
}
