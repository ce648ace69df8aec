{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 1; }; }
    { a = 2; }
    { a = lib.mkForce 3; }
    { a = lib.mkDefault 4; }
  ];
}
