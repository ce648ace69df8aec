{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.l = mkOption { type = types.listOf types.str; }; options.u = mkOption { type = types.uniq types.int; }; }
    { key = "same-key"; config.l = [ "keyed" ]; config.u = 1; }
    { imports = [ { key = "same-key"; config.l = [ "keyed" ]; config.u = 1; } ]; }
    { key = "same-key"; config.l = [ "keyed" ]; config.u = 1; }
  ];
}
