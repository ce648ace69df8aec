{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { }; options.d = mkOption { default = "dflt"; }; }
    { x = [ 1 ]; }
    { x = [ 2 ]; }
  ];
  check = r: { x = builtins.sort builtins.lessThan r.config.x; inherit (r.config) d; desc = r.options.x.type.description; };
}
