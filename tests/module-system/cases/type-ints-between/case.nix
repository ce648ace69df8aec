{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.lo = mkOption { type = types.ints.between 1 10; };
        options.hi = mkOption { type = types.ints.between 1 10; };
        options.neg = mkOption { type = types.ints.between (-5) 5; };
        options.one = mkOption { type = types.ints.between 0 0; };
      }
    { lo = 1; hi = 10; neg = -5; one = 0; }
  ];
}
