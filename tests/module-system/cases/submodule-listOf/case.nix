{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.mod = mkOption {
          type = types.listOf (types.submodule {
            options.foo = mkOption { type = types.int; };
            options.bar = mkOption { type = types.str; default = "none"; };
          });
        };
      }
    { mod = [ { foo = 1; bar = "one"; } { foo = 2; } ]; }
  ];
}
