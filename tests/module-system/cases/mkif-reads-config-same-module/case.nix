{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ({ config, lib, ... }: {
        options.svc.enable = lib.mkEnableOption "svc";
        options.svc.port = mkOption { type = types.port; default = 1; };
        options.firewall.ports = mkOption { type = types.listOf types.port; default = [ ]; };
        config = lib.mkIf config.svc.enable {
          firewall.ports = [ config.svc.port ];
        };
      })
    { svc.enable = true; svc.port = 8080; }
  ];
}
