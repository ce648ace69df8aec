{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    (lib.mkAliasOptionModule [ "short" ] [ "some" "long" "name" ])
    { options.some.long.name = mkOption { type = types.str; default = "d"; }; }
    { short = "via alias"; }
  ];
  check = r: { target = r.config.some.long.name; alias = r.config.short; warnings = builtins.length r.config.warnings; };
}
