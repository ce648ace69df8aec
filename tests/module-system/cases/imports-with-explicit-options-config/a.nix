{ lib, ... }:
{
  imports = [ ./b.nix ];
  options.a = lib.mkOption { type = lib.types.str; };
  config.a = "x";
}
