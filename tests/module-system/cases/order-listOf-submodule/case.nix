{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.entries = mkOption { type = types.listOf (types.submodule { options.n = mkOption { type = types.int; }; options.tag = mkOption { type = types.str; default = "t"; }; }); }; }
    { entries = [ { n = 2; } ]; }
    { entries = lib.mkBefore [ { n = 1; } ]; }
    { entries = lib.mkAfter [ { n = 3; tag = "last"; } ]; }
  ];
}
