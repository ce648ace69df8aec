{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.str; }; }
    ({ bar, ... }: { x = bar; })
  ];
  specialArgs = { bar = "special"; };
}
