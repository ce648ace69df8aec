{ lib, ... }:
{
  options.x = lib.mkOption { type = lib.types.int; default = 1; description = "declared once"; };
  options.l = lib.mkOption { type = lib.types.listOf lib.types.str; };
  config.l = [ "common" ];
}
