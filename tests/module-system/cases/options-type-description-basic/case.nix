{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
      options.bool = mkOption { type = types.bool; };
      options.int = mkOption { type = types.int; };
      options.str = mkOption { type = types.str; };
      options.float = mkOption { type = types.float; };
      options.number = mkOption { type = types.number; };
      options.path = mkOption { type = types.path; };
      options.package = mkOption { type = types.package; };
      options.attrs = mkOption { type = types.attrs; };
      options.anything = mkOption { type = types.anything; };
      options.raw = mkOption { type = types.raw; };
      options.unspecified = mkOption { type = types.unspecified; };
    }
  ];
  check = r: builtins.mapAttrs (n: o: o.type.description) (builtins.removeAttrs r.options [ "_module" ]);
}
