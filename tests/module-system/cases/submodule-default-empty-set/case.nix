{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption {
          type = types.submodule { options.x = mkOption { type = types.int; default = 1; }; options.y = mkOption { type = types.bool; default = false; }; };
          default = { };
        };
      }
  ];
}
