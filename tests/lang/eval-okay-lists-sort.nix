# sort: stability, lessThan on every comparable type, and comparators that
# are not strict weak orderings (whose result depends on the exact merge
# sort algorithm Nix 2.8 uses, libstdc++'s std::stable_sort).
let
  inherit (builtins) sort lessThan genList length bitAnd;
  mod = a: b: a - (a / b) * b;
  rand = n: seed: genList (i: mod (i * 48271 + seed) 97) n;
  lengths = [ 0 1 2 3 6 7 8 13 14 15 16 17 29 30 31 50 100 ];
in {
  ints = sort lessThan [ 483 249 526 147 42 77 ];
  lambda = sort (a: b: a < b) [ 483 249 526 147 42 77 ];
  desc = sort (a: b: a > b) [ 3 1 2 ];
  floats = sort lessThan [ 2.5 1 (-3) 0.5 ];
  strings = sort lessThan [ "b" "a" "ab" "" "B" ];
  lists = sort lessThan [ [ 2 ] [ 1 2 ] [ 1 ] [ ] [ 1 1 ] ];
  paths = sort lessThan [ /b /a /a/b ];
  stable = sort (a: b: a.k < b.k) [
    { k = 2; v = "a"; } { k = 1; v = "b"; } { k = 2; v = "c"; }
    { k = 1; v = "d"; } { k = 0; v = "e"; } { k = 2; v = "f"; }
    { k = 1; v = "g"; } { k = 0; v = "h"; } { k = 2; v = "i"; }
  ];
  randomSorted = map (n: sort lessThan (rand n 12345)) lengths;
  randomLambda = map (n: sort (a: b: a < b) (rand n 999)) lengths;
  always = map (n: sort (a: b: true) (genList (i: i) n)) lengths;
  never = map (n: sort (a: b: false) (genList (i: i) n)) lengths;
  lessEq = map (n: sort (a: b: a <= b) (map (x: mod x 5) (rand n 7))) lengths;
  chaotic = map (n: sort (a: b: bitAnd (a * 7 + b * 3) 4 == 4) (rand n 31)) lengths;
  sortIsNotInPlace = let xs = [ 3 1 2 ]; in [ (sort lessThan xs) xs ];
}
