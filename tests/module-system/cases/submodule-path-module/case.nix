{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule ./sub.nix; default = { }; }; }
    { s.port = 8080; }
  ];
}
