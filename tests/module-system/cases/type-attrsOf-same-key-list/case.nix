{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.attrsOf (types.listOf types.str); }; }
    { a.k = [ "one" ]; }
    { a.k = [ "two" ]; a.j = [ ]; }
  ];
  check = r: builtins.mapAttrs (n: v: builtins.sort builtins.lessThan v) r.config.a;
}
