{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.f = mkOption { type = types.int; default = 0; };
        options.t = mkOption { type = types.int; default = 0; };
        options.tt = mkOption { type = types.int; default = 0; };
        options.tf = mkOption { type = types.int; default = 0; };
        options.deep.x = mkOption { type = types.int; default = 0; };
      }
    {
        f = lib.mkIf false 5;
        t = lib.mkIf true 5;
        tt = lib.mkIf true (lib.mkIf true 5);
        tf = lib.mkIf true (lib.mkIf false 5);
        deep = lib.mkIf true { x = lib.mkIf true 9; };
      }
  ];
}
