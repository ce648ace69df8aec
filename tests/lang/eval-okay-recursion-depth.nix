# Moderate recursion depth must work (Nix 2.8 has no tail calls, so keep it
# well below its stack limit); long folds must not use the C stack.
let
  count = n: if n == 0 then 0 else 1 + count (n - 1);
  sum = builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 200000);
  loop = n: acc: if n == 0 then acc else loop (n - 1) (acc + 1);
in
[ (count 2000) sum (loop 3000 0) ]
