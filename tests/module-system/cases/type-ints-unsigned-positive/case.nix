{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.u0 = mkOption { type = types.ints.unsigned; };
        options.u1 = mkOption { type = types.ints.unsigned; };
        options.p = mkOption { type = types.ints.positive; };
      }
    { u0 = 0; u1 = 123456789; p = 1; }
  ];
}
