{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
      options.listOfStr = mkOption { type = types.listOf types.str; };
      options.listOfListOfInt = mkOption { type = types.listOf (types.listOf types.int); };
      options.listOfNullOrStr = mkOption { type = types.listOf (types.nullOr types.str); };
      options.listOfPositive = mkOption { type = types.listOf types.ints.positive; };
      options.attrsOfInt = mkOption { type = types.attrsOf types.int; };
      options.attrsOfListOfStr = mkOption { type = types.attrsOf (types.listOf types.str); };
      options.attrsOfEither = mkOption { type = types.attrsOf (types.either types.int types.str); };
      options.lazyAttrsOfStr = mkOption { type = types.lazyAttrsOf types.str; };
      options.nullOrStr = mkOption { type = types.nullOr types.str; };
      options.nullOrListOfStr = mkOption { type = types.nullOr (types.listOf types.str); };
      options.nullOrEither = mkOption { type = types.nullOr (types.either types.int types.str); };
      options.eitherIntStr = mkOption { type = types.either types.int types.str; };
      options.eitherListStr = mkOption { type = types.either (types.listOf types.int) types.str; };
      options.oneOf = mkOption { type = types.oneOf [ types.int types.str types.bool ]; };
      options.coercedTo = mkOption { type = types.coercedTo types.int toString types.str; };
      options.functionTo = mkOption { type = types.functionTo types.int; };
      options.uniqInt = mkOption { type = types.uniq types.int; };
      options.uniqueStr = mkOption { type = types.unique { message = "m"; } types.str; };
    }
  ];
  check = r: builtins.mapAttrs (n: o: o.type.description) (builtins.removeAttrs r.options [ "_module" ]);
}
