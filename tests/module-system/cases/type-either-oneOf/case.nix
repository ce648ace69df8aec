{ lib }:
let
  inherit (lib) mkOption types;
in
{
  modules = [
    {
        options.ei = mkOption { type = types.either types.int types.str; };
        options.es = mkOption { type = types.either types.int types.str; };
        options.o1 = mkOption { type = types.oneOf [ types.int types.str types.bool ]; };
        options.o2 = mkOption { type = types.oneOf [ types.int types.str types.bool ]; };
        options.o3 = mkOption { type = types.oneOf [ types.int types.str types.bool ]; };
      }
    { ei = 5; es = "five"; o1 = 1; o2 = "two"; o3 = true; }
  ];
}
