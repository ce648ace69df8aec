{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.u8lo = mkOption { type = types.ints.u8; };
        options.u8hi = mkOption { type = types.ints.u8; };
        options.u16 = mkOption { type = types.ints.u16; };
        options.u32 = mkOption { type = types.ints.u32; };
      }
    { u8lo = 0; u8hi = 255; u16 = 65535; u32 = 4294967295; }
  ];
}
