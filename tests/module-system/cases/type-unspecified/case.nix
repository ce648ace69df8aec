{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.l = mkOption { type = types.unspecified; };
        options.a = mkOption { type = types.unspecified; };
        options.b = mkOption { type = types.unspecified; };
        options.i = mkOption { type = types.unspecified; };
      }
    { l = [ "x" ]; a.p = 1; b = false; i = 4; }
    { l = [ "y" ]; a.q = 2; b = true; i = 4; }
  ];
  check = r: r.config // { l = builtins.sort builtins.lessThan r.config.l; };
}
