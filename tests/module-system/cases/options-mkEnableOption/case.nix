{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.foo.enable = lib.mkEnableOption "foo"; options.bar.enable = lib.mkEnableOption "the bar service"; }
    { bar.enable = true; }
  ];
  check = r: {
    inherit (r.options.foo.enable) description default example;
    barDescription = r.options.bar.enable.description;
    type = r.options.foo.enable.type.description;
    inherit (r) config;
  };
}
