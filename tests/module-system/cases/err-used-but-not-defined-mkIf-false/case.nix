{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; }
    { a = lib.mkIf false 1; }
  ];
}
