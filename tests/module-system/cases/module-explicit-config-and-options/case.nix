{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options = { a = mkOption { type = types.int; }; };
        config = { a = 2; };
      }
    { options.b = mkOption { type = types.int; default = 3; }; }
    { config.b = 4; }
  ];
}
