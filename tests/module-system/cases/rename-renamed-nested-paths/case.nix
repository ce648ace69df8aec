{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    (lib.mkRenamedOptionModule [ "services" "foo" "port" ] [ "services" "bar" "listen" "port" ])
    { options.services.bar.listen.port = mkOption { type = types.port; default = 80; }; }
    { services.foo.port = 8080; }
  ];
  check = r: { new = r.config.services.bar.listen.port; old = r.config.services.foo.port; };
}
