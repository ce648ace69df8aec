{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.mod = mkOption {
          type = types.attrsOf (types.submodule {
            options.foo = mkOption { type = types.int; };
            options.bar = mkOption { type = types.str; default = "none"; };
          });
        };
      }
    { mod.one = { foo = 1; bar = "one"; }; }
    { mod.two.foo = 2; }
    { mod.one.foo = 1; }
  ];
}
