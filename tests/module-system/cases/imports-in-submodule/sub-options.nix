{ lib, ... }:
{
  options.a = lib.mkOption { type = lib.types.int; default = 1; };
  options.b = lib.mkOption { type = lib.types.int; default = 1; };
}
