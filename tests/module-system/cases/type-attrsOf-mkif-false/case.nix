{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.attrsOf types.int; }; }
    { a = { gone = lib.mkIf false 1; kept = lib.mkIf true 2; plain = 3; }; }
  ];
  check = r: { names = builtins.attrNames r.config.a; inherit (r.config) a; };
}
