{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.users = mkOption { type = types.attrsOf (types.submodule { options.uid = mkOption { type = types.int; }; }); }; }
    ./a.nix
  ];
}
