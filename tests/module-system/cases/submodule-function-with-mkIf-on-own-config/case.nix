{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.svc = mkOption {
          type = types.attrsOf (types.submodule ({ config, name, ... }: {
            options.enable = mkOption { type = types.bool; default = false; };
            options.unit = mkOption { type = types.nullOr types.str; default = null; };
            config = lib.mkIf config.enable { unit = "${name}.service"; };
          }));
          default = { };
        };
      }
    { svc.on.enable = true; svc.off = { }; }
  ];
}
