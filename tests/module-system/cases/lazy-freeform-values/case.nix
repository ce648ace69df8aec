{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { freeformType = types.lazyAttrsOf types.int; options.declared = mkOption { type = types.int; default = 1; }; }
    { bad = throw "freeform value bad was evaluated"; good = 2; }
  ];
  check = r: { inherit (r.config) good declared; };
}
