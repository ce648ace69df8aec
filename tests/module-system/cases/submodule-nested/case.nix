{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.outer = mkOption {
          type = types.submodule {
            options.inner = mkOption {
              type = types.submodule {
                options.x = mkOption { type = types.int; default = 1; };
                options.y = mkOption { type = types.int; };
              };
              default = { y = 0; };
            };
            options.z = mkOption { type = types.str; default = "z"; };
          };
          default = { };
        };
      }
    { outer.inner.y = 5; }
  ];
}
