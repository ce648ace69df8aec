{ lib, ... }:
{
  options.services.foo.impl = lib.mkOption { type = lib.types.str; default = "upstream"; };
}
