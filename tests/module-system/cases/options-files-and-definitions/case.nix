{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ./decl.nix
    ./a.nix
    ./b.nix
    ./c.nix
  ];
  check = r: {
    files = builtins.sort builtins.lessThan (map baseNameOf r.options.n.files);
    inherit (r.options.n) definitions;
    listDefinitions = r.options.l.definitions;
    declarations = map baseNameOf r.options.n.declarations;
  };
}
