{ lib, ... }:
{
  options.x = lib.mkOption { description = "two"; };
}
