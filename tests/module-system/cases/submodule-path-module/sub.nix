{ lib, ... }:
{
  options.port = lib.mkOption { type = lib.types.port; default = 80; };
  options.host = lib.mkOption { type = lib.types.str; default = "localhost"; };
}
