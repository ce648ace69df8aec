{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    ({ lib, ... }: { options.a = lib.mkOption { type = lib.types.int; }; })
    ({ config, ... }: { options.b = mkOption { type = types.int; }; config.b = config.a + 1; })
    ({ ... }: { a = 10; })
  ];
}
