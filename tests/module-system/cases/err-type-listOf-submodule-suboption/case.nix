{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf (types.submodule { options.a = mkOption { type = types.int; }; }); }; }
    ./a.nix
  ];
}
