{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.n = mkOption { type = types.nullOr types.int; default = null; };
        options.v = mkOption { type = types.nullOr types.int; default = null; };
        options.both = mkOption { type = types.nullOr types.str; };
        options.l = mkOption { type = types.nullOr (types.listOf types.int); };
      }
    { v = 5; both = null; l = [ 1 ]; }
    { both = null; l = [ 1 ]; }
  ];
}
