{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.int; }; }
    { _module.args.foo = lib.mkDefault 1; }
    { _module.args.foo = 2; }
    ({ foo, ... }: { x = foo; })
  ];
}
