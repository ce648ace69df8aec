{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption {
          type = types.submodule { options.x = mkOption { type = types.int; default = 0; }; options.y = mkOption { type = types.int; default = 0; }; };
          default = { };
        };
      }
    { s.x = lib.mkDefault 1; s.y = 5; }
    { s.x = 2; }
  ];
}
