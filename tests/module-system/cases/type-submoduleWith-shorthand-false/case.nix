{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.s = mkOption {
          type = types.submoduleWith {
            modules = [ { options.x = mkOption { type = types.int; default = 1; }; } ];
          };
        };
      }
    { s = { options.extra = mkOption { type = types.str; default = "declared by a definition"; }; config.x = 5; }; }
  ];
}
