{ lib, ... }:
{
  # padding line
  x = lib.mkForce 2222;
}
