{ lib, ... }:
{
  options.deepest = lib.mkOption { type = lib.types.int; };
  options.fromA = lib.mkOption { type = lib.types.str; };
  options.fromB = lib.mkOption { type = lib.types.str; };
}
