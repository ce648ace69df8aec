{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { config._module.freeformType = types.attrsOf types.int; options.declared = mkOption { type = types.str; default = "d"; }; }
    { a = 1; b = 2; }
  ];
}
