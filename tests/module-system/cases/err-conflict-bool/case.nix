{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.flag = mkOption { type = types.bool; default = false; }; }
    ./a.nix
    ./b.nix
  ];
}
