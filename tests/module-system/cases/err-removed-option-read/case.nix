{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    (lib.mkRemovedOptionModule [ "gone" ] "Use `replacement` instead.")
  ];
  check = r: r.config.gone;
}
