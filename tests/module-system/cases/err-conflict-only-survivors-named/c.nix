{ lib, ... }:
{
  x = lib.mkDefault 3333;
}
