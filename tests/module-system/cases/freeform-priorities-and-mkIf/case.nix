{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { freeformType = types.attrsOf types.str; }
    { a = lib.mkDefault "default"; b = lib.mkIf false "never"; c = lib.mkIf true "yes"; }
    { a = "explicit"; }
  ];
}
