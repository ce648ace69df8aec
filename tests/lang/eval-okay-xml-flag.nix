{
  a = [ 1 "two" null true 3.5 ];
  b = { c = "<&>"; };
  f = { x, y ? 1 }: x;
}
