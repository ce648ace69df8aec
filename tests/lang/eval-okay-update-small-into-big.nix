# `//` of a few attributes into a big set (firn copies the unchanged runs in
# bulk): replaced, added before, between and after the existing names.
let
  big = builtins.listToAttrs (builtins.genList (i: { name = "k${toString i}"; value = i; }) 200);
  u = big // { k5 = "five"; "" = "first"; k150x = "between"; zz = "last"; k199 = "end"; };
in
[ (builtins.length (builtins.attrNames u)) u.k5 u."" u.k150x u.zz u.k199 u.k0 u.k198
  (builtins.head (builtins.attrNames u)) (builtins.elemAt (builtins.attrValues u) 100) ]
