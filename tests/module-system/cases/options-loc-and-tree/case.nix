{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.services.web.port = mkOption { type = types.port; default = 80; }; }
  ];
  check = r: {
    inherit (r.options.services.web.port) loc;
    isOption = r.options.services.web.port._type;
    treeIsOption = (r.options.services.web._type or null) == "option";
  };
}
