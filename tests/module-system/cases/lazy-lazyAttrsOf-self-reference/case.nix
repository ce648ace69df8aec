{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.lazyAttrsOf types.int; }; }
    ({ config, ... }: { x.a = 1; x.b = config.x.a + 1; x.c = config.x.b * 10; })
  ];
}
