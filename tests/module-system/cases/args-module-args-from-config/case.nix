{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.str; default = "configured"; }; options.b = mkOption { type = types.str; }; }
    ({ config, ... }: { _module.args.fromConfig = config.a; })
    ({ fromConfig, ... }: { b = "got ${fromConfig}"; })
  ];
}
