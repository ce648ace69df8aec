builtins.toXML {
  int = 1;
  str = "a<b>&\"c'";
  bool = false;
  null = null;
  list = [ 1.5 "x" ];
  fun = { a, b ? 2, ... }: a;
  fun2 = x: x;
  nested.attr = true;
}
