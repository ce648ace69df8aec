{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.a = mkOption { type = types.strMatching "[a-z]+"; };
        options.b = mkOption { type = types.strMatching "[0-9]{3}-[0-9]{4}"; };
      }
    { a = "abc"; b = "555-1234"; }
  ];
}
