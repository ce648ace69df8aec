{ lib, ... }:
{
  config = lib.mkIf true { a = 1; b = 2; };
}
