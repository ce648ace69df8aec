{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.r = mkOption { type = types.raw; };
        options.nested = mkOption { type = types.raw; };
      }
    { r = { f = x: x * 3; v = 1; }; nested = { a = lib.mkIf false 1; }; }
  ];
  check = r: { f = r.config.r.f 2; v = r.config.r.v; nestedType = r.config.nested.a._type; };
}
