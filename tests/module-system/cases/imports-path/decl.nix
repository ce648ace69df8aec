{ lib, ... }:
{
  options.x = lib.mkOption { type = lib.types.int; };
  options.y = lib.mkOption { type = lib.types.str; };
}
