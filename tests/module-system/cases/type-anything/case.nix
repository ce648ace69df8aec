{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.anything; };
        options.i = mkOption { type = types.anything; };
        options.l = mkOption { type = types.anything; };
        options.n = mkOption { type = types.anything; };
      }
    { a.x.y = "deep"; i = 1; l = [ 1 "two" null ]; n = null; }
    { a.x.z = 2; a.w = true; i = 1; }
  ];
}
