{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.services.foo.port = mkOption { type = types.port; }; }
  ];
}
