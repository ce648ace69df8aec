{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = throw "default of a was evaluated"; }; options.b = mkOption { type = types.int; default = 2; }; }
  ];
  check = r: { inherit (r.config) b; };
}
