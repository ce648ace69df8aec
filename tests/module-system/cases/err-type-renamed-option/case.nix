{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    (lib.mkRenamedOptionModule [ "old" ] [ "new" ])
    { options.new = mkOption { type = types.int; default = 0; }; }
    { old = "five"; }
  ];
  check = r: r.config.new;
}
