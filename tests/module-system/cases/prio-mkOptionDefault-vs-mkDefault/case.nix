{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.b = mkOption { type = types.int; }; }
    { a = lib.mkOptionDefault 1; b = lib.mkOptionDefault 1; }
    { a = lib.mkDefault 2; }
  ];
}
