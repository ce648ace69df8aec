{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.services.nginx.enable = mkOption { type = types.bool; default = false; }; }
    ./a.nix
  ];
}
