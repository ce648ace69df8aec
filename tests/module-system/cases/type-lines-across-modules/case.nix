{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.text = mkOption { type = types.lines; }; }
    { text = lib.mkAfter "last"; }
    { text = "middle"; }
    { text = lib.mkBefore "first"; }
  ];
}
