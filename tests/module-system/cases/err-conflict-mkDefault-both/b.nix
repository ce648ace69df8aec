{ lib, ... }:
{
  # padding line
  x = lib.mkDefault 2222;
}
