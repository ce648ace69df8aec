{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.undef = mkOption { type = types.int; };
        options.withDefault = mkOption { type = types.int; default = 1; };
        options.defined = mkOption { type = types.int; };
        options.onlyMkIfFalse = mkOption { type = types.int; };
      }
    { defined = 2; onlyMkIfFalse = lib.mkIf false 3; }
  ];
  check = r: builtins.mapAttrs (n: o: o.isDefined) (builtins.removeAttrs r.options [ "_module" ]);
}
