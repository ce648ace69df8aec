{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.anything; }; }
    ./a.nix
    ./b.nix
  ];
}
