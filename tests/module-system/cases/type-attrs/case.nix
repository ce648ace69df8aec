{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.attrs; };
        options.n = mkOption { type = types.attrs; };
      }
    { a = { p = 1; q.r = "s"; }; n = { c = lib.mkIf false 1; }; }
    { a = { t = [ 1 ]; }; }
  ];
  check = r: { inherit (r.config) a; nType = r.config.n.c._type; };
}
