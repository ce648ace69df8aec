{ lib, ... }:
{
  options.s = lib.mkOption { type = lib.types.submodule { options.y = lib.mkOption { type = lib.types.int; default = 2; }; }; };
}
