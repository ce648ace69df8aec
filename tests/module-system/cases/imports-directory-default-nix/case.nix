{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { imports = [ ./sub ]; v = 2; }
  ];
}
