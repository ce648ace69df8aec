{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.l = mkOption { type = types.listOf types.int; }; }
    { a = lib.mkDefault (throw "discarded mkDefault definition was evaluated"); l = [ (throw "discarded list definition was evaluated") ]; }
    { a = lib.mkForce 1; l = lib.mkForce [ 2 ]; }
  ];
}
