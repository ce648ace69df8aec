{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.int; };
        options.b = mkOption { type = types.int; };
        options.c = mkOption { type = types.int; default = 0; };
      }
    { a = 42; b = -7; c = 5; }
    { c = 5; }
  ];
}
