{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.lazyAttrsOf types.int; }; }
    { x.bad = throw "x.bad was evaluated"; }
    { x.good = 1; }
  ];
  check = r: { inherit (r.config.x) good; names = builtins.attrNames r.config.x; };
}
