{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.services.web.port = mkOption { type = types.port; }; }
    ./a.nix
  ];
}
