{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.base = mkOption { type = types.str; default = "/srv"; };
        options.s = mkOption { type = types.submodule { options.dir = mkOption { type = types.str; }; }; };
      }
    ({ config, ... }: { s.dir = "${config.base}/data"; })
  ];
}
