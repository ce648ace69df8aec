{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.attrsOf types.int; default = { }; }; }
    { a.x = 1; }
    { a = { y = 2; z = 3; }; }
    { a.x = 1; }
  ];
}
