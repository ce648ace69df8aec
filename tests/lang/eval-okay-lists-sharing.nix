# Nix 2.8 prints a list or set it has already printed as «repeated» when it
# is the same list array (lists of 3+ elements) or the same attribute set.
# Builtins that return their argument (filter keeping everything, a
# concatLists with one non-empty list, getAttr, head) share it; the others
# build new ones.
let
  l = [ 1 2 3 ];
  l4 = [ 1 2 3 4 ];
  s = { a = 1; };
  inherit (builtins) filter concatLists tail head getAttr sort lessThan removeAttrs foldl' elemAt;
in [
  [ l (filter (x: true) l) ]
  [ l (filter (x: x > 1) l) ]
  [ l (concatLists [ [ ] l [ ] ]) ]
  [ (tail l4) (tail l4) ]
  [ (head [ l ]) (head [ l ]) ]
  [ (elemAt [ l ] 0) l ]
  [ (sort lessThan l) l ]
  [ (foldl' (a: b: a) l [ 1 ]) l ]
  [ s (getAttr "s" { inherit s; }) ]
  [ s (removeAttrs s [ ]) ]
  [ [ 1 ] (filter (x: true) [ 1 ]) ]
]
