{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; }
    { _file = "virtual/module.nix"; a = 1; }
  ];
  check = r: { value = r.config.a; files = r.options.a.files; };
}
