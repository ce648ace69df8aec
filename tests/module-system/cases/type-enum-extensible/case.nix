{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.dm = mkOption { type = types.nullOr (types.enum [ ]); default = null; description = "Display manager to use"; };
        options.other = mkOption { type = types.nullOr (types.enum [ ]); default = null; };
      }
    { options.dm = mkOption { type = types.nullOr (types.enum [ "gdm" ]); }; }
    { options.dm = mkOption { type = types.nullOr (types.enum [ "sddm" ]); }; }
    { dm = "sddm"; }
  ];
}
