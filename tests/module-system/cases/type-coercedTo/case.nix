{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.coercedTo types.int toString types.str; };
        options.b = mkOption { type = types.coercedTo types.int toString types.str; };
      }
    { a = 5; b = "already"; }
  ];
}
