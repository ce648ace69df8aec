builtins.toJSON {
  ints = [ 0 (-1) 9223372036854775807 ];
  floats = [ 1.5 0.1 1.0e100 1.0 ];
  strings = [ "" "x\n\t\r\"\\/é" (builtins.fromJSON ''"\u0001\u007f"'') ];
  nested = { z = 1; a = [ { } [ ] null true false ]; };
  stringish = { __toString = self: "via __toString"; };
  drvish = { outPath = "/some/path"; other = 1; };
  "key with \"quotes\"" = "v";
}
