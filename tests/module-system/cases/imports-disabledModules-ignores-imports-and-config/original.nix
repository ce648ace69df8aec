{ lib, ... }:
{
  imports = [ ./original-helper.nix ];
  options.x = lib.mkOption { type = lib.types.str; default = "original"; };
  config.l = [ "from original" ];
}
