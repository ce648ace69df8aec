{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.str; };
        options.empty = mkOption { type = types.str; };
        options.same = mkOption { type = types.str; default = "dflt"; };
      }
    { a = "hello"; empty = ""; same = "x"; }
    { same = "x"; }
  ];
}
