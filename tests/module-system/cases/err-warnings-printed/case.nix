{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    { warnings = [ "something looks odd" ]; }
  ];
  check = r: lib.checkAssertWarn r.config (throw "evaluation continued after the warnings");
}
