{ lib, ... }:
{
  disabledModules = [ "services/foo.nix" ];
  options.services.foo.impl = lib.mkOption { type = lib.types.str; default = "mine"; };
}
