{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.mode = mkOption { type = types.enum [ "fast" "slow" ]; }; }
    ./a.nix
    ./b.nix
  ];
}
