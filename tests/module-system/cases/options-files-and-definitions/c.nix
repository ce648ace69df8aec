{ lib, ... }:
{
  n = lib.mkDefault 2;
  l = lib.mkDefault [ "dropped" ];
}
