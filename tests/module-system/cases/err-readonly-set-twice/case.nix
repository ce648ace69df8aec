{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.ro = mkOption { type = types.str; readOnly = true; }; }
    ./a.nix
    ./b.nix
  ];
}
