{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.attrsOf types.int; }; }
    { a = { x = lib.mkForce 1; y = lib.mkDefault 1; }; }
    { a = { x = 2; y = 2; z = 3; }; }
  ];
}
