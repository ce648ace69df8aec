{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.foo = mkOption { type = types.lazyAttrsOf types.int; }; }
    { foo = { attr = lib.mkIf false 10; other = 1; }; }
  ];
  check = r: r.config.foo.attr;
}
