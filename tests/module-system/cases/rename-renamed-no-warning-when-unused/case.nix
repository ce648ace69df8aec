{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    (lib.mkRenamedOptionModule [ "old" ] [ "new" ])
    { options.new = mkOption { type = types.int; default = 0; }; }
    { new = 1; }
  ];
  check = r: { inherit (r.config) new; warnings = builtins.length r.config.warnings; };
}
