{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.int; };
        options.b = mkOption { type = types.int; };
        options.c = mkOption { type = types.str; };
      }
    ({ config, ... }: { c = "b is ${toString config.b}"; })
    ({ config, ... }: { b = config.a * 2; })
    { a = 21; }
  ];
}
