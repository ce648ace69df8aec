{ config, lib, ... }:
{
  imports = if config.x then [ ./other.nix ] else [ ];
  options.x = lib.mkOption { type = lib.types.bool; default = false; };
}
