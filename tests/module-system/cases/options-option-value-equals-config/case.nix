{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.listOf types.int; default = [ ]; }; }
    { a = [ 1 ]; }
  ];
  check = r: { inherit (r.options.a) value; config = r.config.a; };
}
