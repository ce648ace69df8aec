{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule { options.a = mkOption { type = types.int; }; }; }; }
    ./a.nix
    ./b.nix
  ];
}
