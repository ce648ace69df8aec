{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    { warnings = [ "first warning" ]; }
    { warnings = [ "second warning" ]; }
  ];
  check = r: builtins.sort builtins.lessThan r.config.warnings;
}
