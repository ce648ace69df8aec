{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.unset = mkOption { type = types.int; }; options.report = mkOption { type = types.attrsOf types.bool; }; }
    { a = 1; }
    ({ options, ... }: { report = { a = options.a.isDefined; unset = options.unset.isDefined; }; })
  ];
  check = r: { inherit (r.config) report a; };
}
