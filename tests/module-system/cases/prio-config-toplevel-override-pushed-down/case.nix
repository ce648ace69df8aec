{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.b = mkOption { type = types.int; default = 0; }; }
    { a = 2; b = 2; }
    { config = lib.mkForce { a = 1; }; }
    { config = lib.mkDefault { b = 3; }; }
  ];
}
