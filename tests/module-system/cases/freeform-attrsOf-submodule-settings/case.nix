{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.instances = mkOption {
          type = types.attrsOf (types.submodule {
            freeformType = types.attrsOf types.int;
            options.enable = mkOption { type = types.bool; default = true; };
          });
          default = { };
        };
      }
    { instances.a.workers = 4; instances.b.enable = false; }
  ];
}
