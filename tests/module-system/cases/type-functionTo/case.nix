{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.f = mkOption { type = types.functionTo types.int; };
        options.g = mkOption { type = types.functionTo (types.attrsOf types.int); };
        options.h = mkOption { type = types.functionTo (types.listOf types.str); };
      }
    { f = x: x + 1; g = x: { a = x; }; h = x: [ "h1-${x}" ]; }
    { g = x: { b = x * 2; }; h = x: [ "h2-${x}" ]; }
  ];
  check = r: { f = r.config.f 2; g = r.config.g 5; h = builtins.sort builtins.lessThan (r.config.h "z"); };
}
