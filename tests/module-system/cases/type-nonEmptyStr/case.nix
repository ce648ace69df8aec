{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.nonEmptyStr; };
        options.b = mkOption { type = types.nonEmptyStr; };
      }
    { a = "x"; b = " padded "; }
  ];
}
