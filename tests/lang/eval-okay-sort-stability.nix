# builtins.sort is stable: elements that compare equal keep their order.
let
  xs = [
    { k = 2; v = "a"; } { k = 1; v = "b"; } { k = 2; v = "c"; }
    { k = 1; v = "d"; } { k = 0; v = "e"; } { k = 2; v = "f"; }
    { k = 1; v = "g"; } { k = 0; v = "h"; } { k = 2; v = "i"; }
  ];
in
[
  (map (x: x.v) (builtins.sort (a: b: a.k < b.k) xs))
  (map (x: x.v) (builtins.sort (a: b: a.k > b.k) xs))
  (builtins.sort builtins.lessThan [ "b" "a" "B" "" "aa" ])
  (builtins.sort builtins.lessThan [ 3 1.5 2 (-1) ])
  (builtins.sort (a: b: false) [ 3 1 2 ])
]
