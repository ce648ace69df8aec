{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    { options.services.foo.port = mkOption { type = types.nullOr types.port; default = null; }; }
    ({ config, ... }: { assertions = [ { assertion = config.services.foo.port != null; message = "services.foo needs a port"; } ]; })
  ];
  check = r: lib.checkAssertWarn r.config r.config.services.foo.port;
}
