{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.int; default = 1; }; x = 2; }
  ];
}
