{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    <firn/misc/assertions.nix>
    (lib.mkChangedOptionModule [ "oldPort" ] [ "listen" ] (config: "0.0.0.0:${toString config.oldPort}"))
    { options.listen = mkOption { type = types.str; default = "127.0.0.1:80"; }; }
    { oldPort = 8080; }
  ];
  check = r: { inherit (r.config) listen; warnings = builtins.length r.config.warnings; };
}
