{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.u = mkOption { type = types.uniq types.int; };
        options.ul = mkOption { type = types.uniq (types.listOf types.int); };
        options.m = mkOption { type = types.unique { message = "Only one, please."; } types.str; default = "d"; };
      }
    { u = 3; ul = [ 1 2 ]; m = "set once"; }
  ];
}
