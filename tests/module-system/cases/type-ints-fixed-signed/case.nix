{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s8lo = mkOption { type = types.ints.s8; };
        options.s8hi = mkOption { type = types.ints.s8; };
        options.s16lo = mkOption { type = types.ints.s16; };
        options.s16hi = mkOption { type = types.ints.s16; };
        options.s32lo = mkOption { type = types.ints.s32; };
        options.s32hi = mkOption { type = types.ints.s32; };
      }
    {
        s8lo = -128; s8hi = 127;
        s16lo = -32768; s16hi = 32767;
        s32lo = -2147483648; s32hi = 2147483647;
      }
  ];
}
