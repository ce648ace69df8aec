{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption { type = types.enum [ "a" "b" ]; };
        options.i = mkOption { type = types.enum [ 1 2 3 ]; };
        options.d = mkOption { type = types.enum [ "x" "y" ]; default = "y"; };
        options.same = mkOption { type = types.enum [ "p" "q" ]; };
      }
    { s = "b"; i = 2; same = "q"; }
    { same = "q"; }
  ];
}
