let
  functor = { __toString = self: "functor-${toString self.n}"; n = 7; };
  drv = { outPath = "/out/path"; };
  callable = { __functor = self: x: x + self.add; add = 10; };
in
[
  "${functor}"
  "${drv}"
  (toString drv)
  (callable 5)
  (builtins.isFunction callable)
  (builtins.isAttrs callable)
  ("x" + toString 1)
  ("${toString [ 1 2 ]}")
]
