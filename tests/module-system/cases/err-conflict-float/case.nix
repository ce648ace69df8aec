{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.ratio = mkOption { type = types.float; }; }
    ./a.nix
    ./b.nix
  ];
}
