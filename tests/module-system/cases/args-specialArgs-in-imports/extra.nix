{ lib, ... }:
{
  options.y = lib.mkOption { type = lib.types.int; };
}
