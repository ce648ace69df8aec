let
  x = { a = { b = 1; }; n = null; s = "str"; };
  f = y: y;
in
[
  (x.a.b or 5)
  (x.a.c or 6)
  (x.q.r.s or 7)
  (x.n.b or 8)         # null is not a set: the default is used
  (x.s.b or 9)
  (x.${"a"}.b or 10)
  (f x.a.z or 11)      # `or` binds tighter than application
  ({ or = 12; }.or)
  ((x.a or { }).b or 13)
]
