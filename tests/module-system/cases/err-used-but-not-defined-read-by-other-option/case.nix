{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.b = mkOption { type = types.int; }; }
    ({ config, ... }: { b = config.a + 1; })
  ];
  check = r: r.config.b;
}
