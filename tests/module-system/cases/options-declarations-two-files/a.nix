{ lib, ... }:
{
  options.s = lib.mkOption { type = lib.types.submodule { options.x = lib.mkOption { type = lib.types.int; default = 1; }; }; default = { }; };
}
