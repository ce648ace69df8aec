# toJSON: escapes, float printing (C++ stream default: 6 significant
# digits), key order, __toString before outPath, nested outPath values.
let
  inf = 1.0e308 * 10;
in {
  escapes = builtins.toJSON ("quote\" backslash\\ nl\n cr\r tab\t utf8 é 😀 " + builtins.fromJSON ''"ctl\u0001\u0008\u000c\u001f del\u007f"'');
  floats = builtins.toJSON [ 0.1 1.0 1.0e30 3.14159265358979 1.0e-5 123456789.0 1.0e21 0.000001 (1.0 / 3) 100000.0 1000000.0 (0.0 * -1.0) inf (-inf) ];
  ints = builtins.toJSON [ 0 (-1) 9223372036854775807 (-9223372036854775807 - 1) ];
  order = builtins.toJSON { b = 1; a = 2; "" = 3; "B" = 4; "é" = 5; a1 = 6; "a-b" = 7; };
  nested = builtins.toJSON { x = [ [ ] { } [ { y = null; } ] ]; t = true; f = false; };
  toString = builtins.toJSON { __toString = self: "str-${self.v}"; v = "x"; outPath = "ignored"; };
  outPath = builtins.toJSON { outPath = 42; };
  outPathSet = builtins.toJSON { outPath = { __toString = _: "deep"; }; };
  outPathList = builtins.toJSON [ { outPath = [ 1 { a = "b"; } ]; } ];
  roundTrip = builtins.fromJSON (builtins.toJSON { a = [ 1 2.5 "s" null true ]; b.c = "d"; });
}
