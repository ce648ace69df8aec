{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a.x = mkOption { type = types.int; };
        options.a.y = mkOption { type = types.int; };
        options.b.y = mkOption { type = types.int; };
      }
    ({ config, ... }: { a.x = config.b.y + 1; b.y = 1; a.y = config.a.x + 1; })
  ];
}
