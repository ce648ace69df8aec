# fromTOML numbers as Nix 2.8 (toml11) reads them: underscores, prefixes,
# out-of-range decimal/hex/octal integers clamp, binary ones wrap, float
# overflow gives the largest double, inf and nan with signs.
builtins.fromTOML ''
  dec = [ 0, +0, -0, 42, -17, 1_000_000, 9223372036854775807, -9223372036854775808 ]
  clamp = [ 99999999999999999999, -99999999999999999999, 0xFFFFFFFFFFFFFFFF, 0o1777777777777777777777 ]
  wrap = 0b1111111111111111111111111111111111111111111111111111111111111111
  prefixed = [ 0xDEAD_beef, 0o755, 0b1010_1010, 0x0 ]
  floats = [ 1.0, -0.0, 3.14159265358979, 1_000.5e1_0, 5e+22, 1E2, 1e-2, 6.626e-34 ]
  extreme = [ 1e400, -1e400, 1e-400 ]
  special = [ inf, +inf, -inf, nan, +nan, -nan ]
''
