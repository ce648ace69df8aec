{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.coercedTo types.int toString types.str; }; }
    ./a.nix
  ];
}
