{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.u = mkOption { type = types.unique { message = "Define the database URL in exactly one place."; } types.str; }; }
    ./a.nix
    ./b.nix
  ];
}
