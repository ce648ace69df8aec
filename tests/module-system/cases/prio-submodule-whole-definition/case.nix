{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption {
          type = types.submodule { options.x = mkOption { type = types.int; default = 0; }; options.y = mkOption { type = types.int; default = 0; }; };
        };
      }
    { s = lib.mkDefault { x = 1; y = 1; }; }
    { s = { y = 2; }; }
  ];
}
