{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    { options.a = mkOption { type = types.int; description = "An option whose value throws."; }; }
    { a = throw "the value of a was evaluated"; }
  ];
  check = r: { inherit (r.options.a) description; type = r.options.a.type.description; };
}
