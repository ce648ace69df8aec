{ lib, ... }:
{
  options.helper = lib.mkOption { type = lib.types.str; default = "helper"; };
}
