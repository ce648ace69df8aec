{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.settings = mkOption {
          type = types.submodule {
            freeformType = types.attrsOf types.str;
            options.port = mkOption { type = types.port; default = 8080; };
          };
        };
      }
    ./a.nix
  ];
}
