{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.plain = mkOption { type = types.int; };
        options.mkDefault = mkOption { type = types.int; default = 0; };
        options.onlyDefault = mkOption { type = types.int; default = 0; };
        options.mkForce = mkOption { type = types.int; };
        options.custom = mkOption { type = types.int; };
        options.optionDefault = mkOption { type = types.int; };
        options.mixed = mkOption { type = types.int; default = 0; };
      }
    {
        plain = 1;
        mkDefault = lib.mkDefault 1;
        mkForce = lib.mkForce 1;
        custom = lib.mkOverride 42 1;
        optionDefault = lib.mkOptionDefault 1;
        mixed = lib.mkDefault 5;
      }
    { mixed = lib.mkOverride 500 6; }
  ];
  check = r: builtins.mapAttrs (n: o: o.highestPrio) (builtins.removeAttrs r.options [ "_module" ]);
}
