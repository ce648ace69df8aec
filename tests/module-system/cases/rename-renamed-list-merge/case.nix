{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    (lib.mkRenamedOptionModule [ "oldList" ] [ "newList" ])
    { options.newList = mkOption { type = types.listOf types.str; default = [ ]; }; }
    { oldList = [ "via-old" ]; }
    { newList = [ "via-new" ]; }
  ];
  check = r: builtins.sort builtins.lessThan r.config.newList;
}
