{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.int; default = 0; }; }
    ./a.nix
    ./b.nix
  ];
}
