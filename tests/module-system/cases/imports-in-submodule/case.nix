{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule { imports = [ ./sub-options.nix ]; }; default = { }; }; }
    { s.b = 2; }
  ];
}
