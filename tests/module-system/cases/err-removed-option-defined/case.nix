{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    (lib.mkRemovedOptionModule [ "gone" ] "Use `replacement` instead.")
    { options.x = mkOption { type = types.int; default = 1; }; }
    ./a.nix
  ];
  check = r: lib.checkAssertWarn r.config r.config.x;
}
