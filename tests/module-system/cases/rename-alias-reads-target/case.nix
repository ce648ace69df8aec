{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    (lib.mkAliasOptionModule [ "a" ] [ "b" ])
    { options.b = mkOption { type = types.int; default = 0; }; }
    { b = 4; }
  ];
}
