{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 1; }; }
    { a = lib.mkDefault 2; }
    { a = 3; }
  ];
}
