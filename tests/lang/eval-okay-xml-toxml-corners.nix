# toXML: attribute escaping (including newlines as &#xA;), floats as C++
# streams print them, functions with their patterns, primops unevaluated,
# sets with type = "derivation" shown once by drvPath, then <repeated />.
let
  drv = { type = "derivation"; name = "d"; drvPath = "/nix/store/x-d.drv"; outPath = "/nix/store/x-d"; };
in builtins.toXML {
  esc = "q\" lt< gt> amp& nl\n tab\t apos' é";
  "key\"<&>\n" = 1;
  floats = [ 0.1 1.0 1.0e30 3.14159265358979 (0.0 * -1.0) (1.0e308 * 10) ];
  ints = [ 0 (-42) 9223372036854775807 ];
  misc = [ null true false "" ];
  path = /some/path;
  funs = [ (x: x) ({ a, b ? 1 }: a) ({ z, a, ... }@args: a) (args@{ ... }: args) ({ }: 1) ];
  prim = builtins.map;
  primApp = builtins.map (x: x);
  drvs = [ drv drv { type = "derivation"; } (drv // { drvPath = "/nix/store/y-e.drv"; inner = drv; }) ];
  notDrv = { type = "other"; drvPath = "/p"; };
}
