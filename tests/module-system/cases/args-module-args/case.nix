{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.x = mkOption { type = types.int; }; }
    { _module.args.foo = 42; }
    ({ foo, ... }: { x = foo; })
  ];
}
