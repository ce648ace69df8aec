{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.users = mkOption {
          type = types.attrsOf (types.submodule ({ name, ... }: {
            options.name = mkOption { type = types.str; default = name; };
            options.home = mkOption { type = types.str; default = "/home/${name}"; };
          }));
        };
      }
    { users.alice = { }; }
    { users.bob.home = "/srv/bob"; users.carol.name = "Carol"; }
  ];
}
