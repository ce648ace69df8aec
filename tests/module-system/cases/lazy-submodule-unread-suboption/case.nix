{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule { options.a = mkOption { type = types.int; }; options.b = mkOption { type = types.int; }; }; }; }
    { s.a = throw "s.a was evaluated"; s.b = 2; }
  ];
  check = r: { inherit (r.config.s) b; };
}
