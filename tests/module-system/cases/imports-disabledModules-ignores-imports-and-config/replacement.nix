{ lib, ... }:
{
  disabledModules = [ ./original.nix ];
  options.x = lib.mkOption { type = lib.types.str; default = "replacement"; };
  options.l = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
}
