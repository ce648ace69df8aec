{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    { options.x = mkOption { type = types.int; default = 1; }; }
    ({ config, ... }: { assertions = [ { assertion = config.x == 1; message = "x must be 1"; } ]; })
  ];
  check = r: lib.checkAssertWarn r.config { inherit (r.config) x; };
}
