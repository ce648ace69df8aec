{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.bool; default = false; };
        options.b = mkOption { type = types.bool; };
        options.c = mkOption { type = types.bool; default = true; };
      }
    { b = true; }
    { b = true; c = false; }
  ];
}
