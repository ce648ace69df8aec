{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.mod = mkOption {
          type = types.listOf (types.submodule { options.foo = mkOption { type = types.int; }; options.tag = mkOption { type = types.str; default = "t"; }; });
        };
      }
    { mod = [ { foo = 2; } ]; }
    { mod = [ { foo = 1; tag = "x"; } ]; }
  ];
  check = r: builtins.sort (p: q: p.foo < q.foo) r.config.mod;
}
