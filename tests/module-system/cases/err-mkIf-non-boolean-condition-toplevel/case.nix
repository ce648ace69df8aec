{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 0; }; }
    { config = lib.mkIf null { a = 1; }; }
  ];
}
