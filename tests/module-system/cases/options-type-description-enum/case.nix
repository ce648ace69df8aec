{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
      options.two = mkOption { type = types.enum [ "a" "b" ]; };
      options.ints = mkOption { type = types.enum [ 1 2 ]; };
      options.single = mkOption { type = types.enum [ "x" ]; };
      options.empty = mkOption { type = types.enum [ ]; };
      options.listOfEnum = mkOption { type = types.listOf (types.enum [ "a" "b" ]); };
      options.nullOrEnum = mkOption { type = types.nullOr (types.enum [ "a" "b" ]); };
    }
  ];
  check = r: builtins.mapAttrs (n: o: o.type.description) (builtins.removeAttrs r.options [ "_module" ]);
}
