{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ({ lib, config, ... }: {
        options.settings = lib.mkOption {
          type = lib.types.submodule {
            freeformType = with lib.types; attrsOf str;
            options.port = lib.mkOption { type = lib.types.port; default = 8080; };
          };
        };
      })
    { settings.logLevel = "debug"; settings.port = 80; }
  ];
}
