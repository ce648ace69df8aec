{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption { type = types.path; };
        options.p = mkOption { type = types.path; };
      }
    { s = "/etc/firn.conf"; p = ./.; }
  ];
  check = r: { inherit (r.config) s; pIsPath = builtins.isPath r.config.p; };
}
