{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    { assertions = [ { assertion = false; message = "first problem"; } { assertion = true; message = "not a problem"; } ]; }
    { assertions = [ { assertion = false; message = "second problem"; } ]; }
  ];
  check = r: lib.checkAssertWarn r.config "unreachable";
}
