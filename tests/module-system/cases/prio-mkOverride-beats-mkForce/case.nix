{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; }
    { a = lib.mkForce 50; }
    { a = lib.mkOverride 10 10; }
    { a = 100; }
  ];
}
