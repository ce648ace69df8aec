{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.users = mkOption { type = types.attrsOf (types.submodule { options.name = mkOption { type = types.str; default = "n"; }; }); }; }
    ./a.nix
  ];
}
