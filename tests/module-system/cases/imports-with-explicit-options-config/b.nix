{ lib, ... }:
{
  options = {
    b = lib.mkOption { type = lib.types.str; };
  };
  config = {
    b = "from b.nix";
  };
}
