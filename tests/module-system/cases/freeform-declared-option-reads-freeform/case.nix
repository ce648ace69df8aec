{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { freeformType = types.attrsOf types.str; options.greeting = mkOption { type = types.str; }; }
    { who = "world"; }
    ({ config, ... }: { greeting = "hello ${config.who}"; })
  ];
}
