{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 1; }; }
    { _module.check = false; }
    { undeclared = 5; nested.undeclared = "x"; }
  ];
}
