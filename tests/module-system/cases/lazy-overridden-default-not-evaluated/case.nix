{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = throw "default of a was evaluated"; }; }
    { a = 1; }
  ];
}
