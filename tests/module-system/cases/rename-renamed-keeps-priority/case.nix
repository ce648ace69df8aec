{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    (lib.mkRenamedOptionModule [ "oldA" ] [ "newA" ])
    (lib.mkRenamedOptionModule [ "oldB" ] [ "newB" ])
    (lib.mkRenamedOptionModule [ "oldC" ] [ "newC" ])
    {
        options.newA = mkOption { type = types.int; default = 0; };
        options.newB = mkOption { type = types.int; default = 0; };
        options.newC = mkOption { type = types.int; default = 0; };
      }
    { oldA = lib.mkDefault 1; oldB = lib.mkDefault 1; newB = 2; oldC = lib.mkForce 3; newC = 2; }
  ];
  check = r: { inherit (r.config) newA newB newC; };
}
