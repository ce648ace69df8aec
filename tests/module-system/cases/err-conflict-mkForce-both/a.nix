{ lib, ... }:
{
  x = lib.mkForce 1111;
}
