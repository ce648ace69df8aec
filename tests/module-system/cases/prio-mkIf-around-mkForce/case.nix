{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.b = mkOption { type = types.int; }; }
    { a = lib.mkIf true (lib.mkForce 5); b = lib.mkIf false (lib.mkForce 5); }
    { a = 3; b = 3; }
  ];
}
