# Attribute paths merge into nested sets.
{
  a.b.c = 1;
  a.b.d = 2;
  a.e = 3;
  x = { y = 1; };
  x.z = 2;
  "quoted".k = 4;
  ${"dyn" + "amic"}.k = 5;
  r = rec { p.q = 1; s = p.q + 1; };
  l = let n.m = 1; n.o = 2; in n;
}
