# sort of 100,000 pseudo-random ints with a Nix-lambda comparator.
let
  n = 100000;
  m = 1000003;
  mod = a: b: a - (a / b) * b;
  xs = builtins.genList (i: mod (i * 48271 + 12345) m) n;
  s = builtins.sort (a: b: a < b) xs;
in
builtins.elemAt s 0 + builtins.elemAt s 1 + builtins.elemAt s 50000 * 3
  + builtins.elemAt s (n - 1) * 7 + builtins.length s
