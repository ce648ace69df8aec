# foldl' (strict in the accumulator) and genList (lazy elements).
let
  inherit (builtins) foldl' genList length elemAt;
  boom = throw "must not be forced";
in {
  sum = foldl' (a: b: a + b) 0 (genList (i: i) 1001);
  sumFloat = foldl' (a: b: a + b) 0.5 [ 1 2 ];
  empty = foldl' (a: boom) 7 [ ];
  order = foldl' (acc: x: acc ++ [ x ]) [ ] [ 1 2 3 ];
  pairs = foldl' (acc: x: { prev = acc; val = x; }) null [ 1 2 ];
  lazyElems = foldl' (acc: x: acc + 1) 0 [ boom boom ];
  lastOnly = foldl' (a: b: b) boom [ 1 2 3 ];
  strictAcc = (builtins.tryEval (foldl' (a: b: if b == 2 then 0 else throw "x") 0 [ 1 2 ])).success;
  gen = genList (i: i * i) 6;
  genEmpty = genList boom 0;
  genLazy = length (genList (i: throw "lazy") 10);
  genLazyElem = elemAt (genList (i: if i == 0 then throw "no" else i * 2) 5) 3;
  genNested = genList (i: genList (j: i + j) i) 4;
}
