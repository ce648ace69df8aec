{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.lazyAttrsOf types.str; }; }
    { a.x = "1"; }
    { a.y = "2"; }
  ];
}
