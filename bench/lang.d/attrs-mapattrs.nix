# mapAttrs over a 100,000-attribute set, forcing every mapped value.
# Includes building the input (see attrs-build for that cost alone).
let
  n = 100000;
  s = builtins.listToAttrs (builtins.genList (i: { name = "a${toString i}"; value = i; }) n);
  m = builtins.mapAttrs (name: v: v * 2 + 1) s;
in
builtins.foldl' (acc: v: acc + v) 0 (builtins.attrValues m)
