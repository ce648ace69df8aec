let
  f = x: x;
in
[
  ([ 1 2 ] == [ 1 2 ])
  ({ a = 1; b = [ 2 ]; } == { b = [ 2 ]; a = 1; })
  (1 == 1.0)
  ("a" == "a")
  (null == null)
  (f == f)                          # functions are never equal...
  ([ f ] == [ f ])                  # ...except the same value inside a list
  ({ a = f; } == { a = f; })
  ({ outPath = "/x"; a = 1; type = "derivation"; } == { outPath = "/x"; b = 2; type = "derivation"; })
  (1 == "1")
  ([ ] == { })
  (0.1 + 0.2 == 0.3)
]
