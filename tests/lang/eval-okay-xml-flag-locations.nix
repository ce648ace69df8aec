let
  x = 1;
  drv = { type = "derivation"; drvPath = "/nix/store/x-d.drv"; outPath = "/nix/store/x-d"; a = 1; };
in {
  a = x: x;
  b = { c, d ? 1, ... }@e: c;
  inherit x;
  l = [ 1 "two" null ];
  nested.deeper.leaf = "v";
  fromJSON = builtins.fromJSON ''{"k": 1}'';
  drvs = [ drv drv ];
}
