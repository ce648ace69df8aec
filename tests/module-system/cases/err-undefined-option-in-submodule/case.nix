{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule { options.port = mkOption { type = types.port; default = 1; }; }; default = { }; }; }
    ./a.nix
  ];
}
