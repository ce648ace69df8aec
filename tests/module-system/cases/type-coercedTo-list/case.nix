{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.coercedTo types.str (s: [ s ]) (types.listOf types.str); }; }
    { l = "single"; }
    { l = [ "listed" ]; }
  ];
  check = r: builtins.sort builtins.lessThan r.config.l;
}
