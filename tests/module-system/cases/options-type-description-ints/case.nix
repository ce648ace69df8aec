{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
      options.unsigned = mkOption { type = types.ints.unsigned; };
      options.positive = mkOption { type = types.ints.positive; };
      options.between = mkOption { type = types.ints.between 1 10; };
      options.betweenNeg = mkOption { type = types.ints.between (-5) 5; };
      options.u8 = mkOption { type = types.ints.u8; };
      options.u16 = mkOption { type = types.ints.u16; };
      options.u32 = mkOption { type = types.ints.u32; };
      options.s8 = mkOption { type = types.ints.s8; };
      options.s16 = mkOption { type = types.ints.s16; };
      options.s32 = mkOption { type = types.ints.s32; };
      options.port = mkOption { type = types.port; };
    }
  ];
  check = r: builtins.mapAttrs (n: o: o.type.description) (builtins.removeAttrs r.options [ "_module" ]);
}
