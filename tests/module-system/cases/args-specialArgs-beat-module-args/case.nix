{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.str; }; }
    { _module.args.who = "module-args"; }
    ({ who, ... }: { x = who; })
  ];
  specialArgs = { who = "special-args"; };
}
