let
  f = x: x * 10;
in
[
  (1 + 2 * 3)
  (2 - 1 - 1)
  (2 - -3)
  (f 1 - 1)
  (-f 1)
  (!true || true)
  (true || false && false)
  (false -> false -> false)
  ([ 1 ] ++ [ 2 ] ++ [ 3 ])
  ({ a = 1; } // { b = 2; } // { a = 3; })
  (1 < 2 == true)
  ("a" + "b" == "ab")
  (if true then 1 else 2 + 10)
  (let y = 1; in y + 1)
  ({ a = 1; }.a + 1)
  (builtins.length [ (f 1) f 1 ])
  (1 + 2 == 3 && 4 * 5 != 21 || false)
  ([ 1 2 ] ++ [ 3 ] == [ 1 2 3 ])
  ({ a = { b = 1; }; } // { a.c = 2; })
]
