{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 0; }; }
    { config = lib.mkIf true { a = lib.mkDefault 1; }; }
    { a = 2; }
  ];
}
