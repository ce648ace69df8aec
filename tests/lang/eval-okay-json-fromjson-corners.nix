# fromJSON as Nix 2.8 (nlohmann::json) does it: integer classes, floats,
# duplicate keys (the last wins), escapes and surrogate pairs, whitespace,
# a byte order mark.
{
  ints = builtins.fromJSON "[0, -0, 9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615, -9223372036854775809, 18446744073709551616]";
  floats = builtins.fromJSON "[1.0, -0.0, 1e2, 1E+2, 1e-2, 2.5e-400, 0.1, 123456789.123]";
  dups = builtins.fromJSON ''{"a": 1, "b": 2, "a": 3}'';
  escapes = builtins.fromJSON ''"q\" b\\ s\/ n\n r\r t\t u\u00e9 pair\ud83d\ude00 bf\b\f"'';
  empty = builtins.fromJSON " \t\r\n[ { } , [ ] , \"\" ] ";
  bom = builtins.fromJSON "﻿[1]";
  nested = builtins.fromJSON ''{"x": {"y": [1, {"z": null}], "w": true}, "v": false}'';
  utf8 = builtins.fromJSON ''"é😀"'';
}
