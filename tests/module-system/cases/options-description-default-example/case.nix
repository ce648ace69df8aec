{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption {
          type = types.int;
          default = 3;
          example = 42;
          description = "The answer.";
        };
        options.b = mkOption { type = types.str; internal = true; visible = false; default = "x"; };
      }
  ];
  check = r: { inherit (r.options.a) description default example value; inherit (r.options.b) internal visible; };
}
