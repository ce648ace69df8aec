{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.n = mkOption { type = types.nullOr (types.submodule { options.a = mkOption { type = types.int; default = 1; }; }); default = null; };
        options.v = mkOption { type = types.nullOr (types.submodule { options.a = mkOption { type = types.int; default = 1; }; }); default = null; };
      }
    { v = { }; }
  ];
}
