{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; default = 0; }; }
    (args@{ ... }: { a = args.lib.mkForce 5; })
  ];
}
