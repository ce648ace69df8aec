{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption {
          type = types.submoduleWith {
            modules = [ { options.x = mkOption { type = types.int; default = 1; }; options.y = mkOption { type = types.int; default = 1; }; } ];
          };
        };
      }
    { s.x = 2; }
  ];
}
