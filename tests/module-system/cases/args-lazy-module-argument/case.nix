{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; }; options.b = mkOption { type = types.int; }; }
    { _module.args.bad = throw "the unused module argument was evaluated"; }
    ({ bad, ... }: { a = bad; b = 1; })
  ];
  check = r: { inherit (r.config) b; };
}
