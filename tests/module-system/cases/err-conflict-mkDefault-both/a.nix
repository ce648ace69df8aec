{ lib, ... }:
{
  x = lib.mkDefault 1111;
}
