{ config, lib, ... }:
{
  options.a = lib.mkOption { type = lib.types.int; };
  options.b = lib.mkOption { type = lib.types.int; };
  config.a = config.b + 1;
  config.b = config.a + 1;
}
