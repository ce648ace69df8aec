{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 0; }; }
    { a = lib.mkDefault 7; }
    { a = lib.mkDefault 7; }
  ];
}
