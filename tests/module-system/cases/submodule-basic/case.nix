{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.s = mkOption { type = types.submodule {   options.a = mkOption { type = types.int; };   options.b = mkOption { type = types.str; default = "b-default"; }; }; }; }
    { s.a = 1; }
  ];
}
