let
  x = { a = { b = { c = 1; }; d = 2; }; "e f" = 3; };
in
[
  (x ? a)
  (x ? a.b.c)
  (x ? a.b.z)
  (x ? a.d.q)      # x.a.d is not a set: false, not an error
  (x ? z.y)
  (x ? "e f")
  (x ? ${"a"})
  (!(x ? a))
  (x ? a == true)  # `?` binds tighter than ==
  (1 ? a)          # not a set at all
]
