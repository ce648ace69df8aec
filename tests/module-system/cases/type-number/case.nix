{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.i = mkOption { type = types.number; };
        options.f = mkOption { type = types.number; };
        options.same = mkOption { type = types.number; };
      }
    { i = 3; f = 2.5; same = 7; }
    { same = 7; }
  ];
}
