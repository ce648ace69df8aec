{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.pkg = mkOption { type = types.package; }; }
    ./a.nix
    ./b.nix
  ];
}
