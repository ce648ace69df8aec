{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.either types.int types.str; }; }
    ./a.nix
  ];
}
