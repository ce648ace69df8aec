{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.foo = mkOption { type = types.lazyAttrsOf (types.nullOr types.int); }; }
    { foo = { attr = lib.mkIf false 10; other = 1; }; }
  ];
  check = r: { hasAttr = r.config.foo ? attr; inherit (r.config.foo) attr other; };
}
