{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.enum [ "a" "b" ]; }; }
    ./a.nix
  ];
}
