{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.singleLineStr; };
        options.b = mkOption { type = types.singleLineStr; };
      }
    { a = "with newline\n"; b = "plain"; }
  ];
}
