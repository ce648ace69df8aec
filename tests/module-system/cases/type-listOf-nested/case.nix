{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.ll = mkOption { type = types.listOf (types.listOf types.str); };
        options.ln = mkOption { type = types.listOf (types.nullOr types.int); };
        options.empty = mkOption { type = types.listOf types.int; default = [ ]; };
      }
    { ll = [ [ "a" "b" ] [ ] ]; ln = [ null 1 ]; }
  ];
}
