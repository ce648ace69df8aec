{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 1; apply = x: throw "apply of a was called"; }; options.b = mkOption { type = types.int; default = 1; apply = x: x + 1; }; }
  ];
  check = r: { inherit (r.config) b; };
}
