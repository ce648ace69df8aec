{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.ro = mkOption { type = types.str; readOnly = true; };
        options.roDefault = mkOption { type = types.str; readOnly = true; default = "dflt"; };
      }
    { ro = "set once"; }
  ];
}
