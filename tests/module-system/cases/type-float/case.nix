{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.float; };
        options.b = mkOption { type = types.float; };
        options.c = mkOption { type = types.float; };
      }
    { a = 1.5; b = -0.25; c = 2.5; }
    { c = 2.5; }
  ];
}
