# Build a 100,000-attribute set with listToAttrs (forces every name).
let
  n = 100000;
  s = builtins.listToAttrs (builtins.genList (i: { name = "a${toString i}"; value = i; }) n);
in
s.a0 + s.a99999 + builtins.length (builtins.attrNames s)
