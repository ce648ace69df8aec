# `//` on 100,000-attribute sets: one merge of two overlapping
# 100,000-attribute sets, then 40 small updates of the 150,000-attribute
# result (each one copies the big set). Includes building the inputs
# (see attrs-build for that cost alone).
let
  n = 100000;
  mk = off: builtins.listToAttrs
    (builtins.genList (i: { name = "a${toString (i + off)}"; value = i; }) n);
  big = mk 0 // mk 50000;
  u = builtins.foldl' (acc: i: acc // { "a${toString (i * 3000)}" = -i; })
    big (builtins.genList (i: i) 40);
in
u.a0 + u.a3000 + u.a117000 + u.a149999 + builtins.length (builtins.attrNames u)
