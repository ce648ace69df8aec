# Floats print with 6 significant digits (%g-like), integral floats without
# a fractional part.
[
  1.0
  0.1
  1.0e10
  1.5e-7
  123456.789
  1234567.0
  3.14159265358979
  (1.0 / 3.0)
  1.0e21
  100000.0
  1000000.0
  (0.1 + 0.2)
  .5
  1.
  (-2.5)
  (0.0 - 0.0)
  1.0e-5
  0.0001
  (builtins.toString 1.0)
  (builtins.toString 0.1)
  "${builtins.toString 123456.789}"
  (builtins.toJSON 0.1)
  (builtins.toJSON 1.0e21)
]
