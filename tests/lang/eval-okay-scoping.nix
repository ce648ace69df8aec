# `with` never shadows lexical bindings; the innermost `with` wins among
# withs; rec and let see their own bindings; inherit in rec takes the outer.
let
  a = "let";
  s1 = { a = "with1"; b = "with1"; c = "with1"; };
  s2 = { b = "with2"; };
  x = "outer";
in
[
  (with s1; a)
  (with s1; with s2; b)
  (with s1; with s2; c)
  (rec { x = "inner"; y = x; }.y)
  (rec { inherit x; y = x; }.y)
  (let x = "shadow"; in x)
  (let f = { a ? b, b ? "default-b" }: a; in f { })
  (let f = args@{ a, ... }: args.extra; in f { a = 1; extra = "extra"; })
  (let inherit (s1) c; in c)
  (with { x = "with-x"; }; x)
]
