{ lib, ... }:
{
  options.n = lib.mkOption { type = lib.types.int; default = 0; };
  options.l = lib.mkOption { type = lib.types.listOf lib.types.str; };
}
