{
  a = [ 1 "two" null true 3.5 { } [ ] ];
  b = { c = "line\nbreak"; d = "é"; };
  drv = { outPath = "/out"; };
}
