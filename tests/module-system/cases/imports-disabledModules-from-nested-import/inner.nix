{ lib, ... }:
{
  disabledModules = [ ./original.nix ];
  options.x = lib.mkOption { type = lib.types.str; default = "replacement"; };
}
