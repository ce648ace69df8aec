{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 0; }; }
    { a = lib.mkDefault (throw "mkDefault definition of a was evaluated"); }
    { a = lib.mkOverride 75 (throw "mkOverride 75 definition of a was evaluated"); }
    { a = lib.mkForce 1; }
  ];
}
