{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    (lib.mkRenamedOptionModule [ "old" ] [ "new" ])
    { options.new = mkOption { type = types.int; default = 3; }; }
  ];
}
