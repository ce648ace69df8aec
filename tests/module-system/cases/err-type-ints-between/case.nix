{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.ints.between 1 10; }; }
    ./a.nix
  ];
}
