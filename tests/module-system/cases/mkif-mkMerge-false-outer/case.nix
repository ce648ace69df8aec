{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 0; }; options.b = mkOption { type = types.int; default = 0; }; }
    { config = lib.mkIf false (lib.mkMerge [ { a = 1; } { b = 2; } ]); }
  ];
}
