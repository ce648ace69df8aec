{ lib, config, ... }:
{
  options.a = lib.mkOption { type = lib.types.str; };
  options.b = lib.mkOption { type = lib.types.str; };
  config.a = "fn";
}
