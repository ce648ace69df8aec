{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.t = mkOption { type = types.lines; }; }
    { t = lib.mkAfter "end"; }
    { t = "middle"; }
    { t = lib.mkBefore "start"; }
  ];
}
