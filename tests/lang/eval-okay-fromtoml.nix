builtins.fromTOML ''
  # comment
  title = "TOML"
  int = 42
  neg = -17
  under = 1_000_000
  hex = 0xDEADBEEF
  oct = 0o755
  bin = 0b1101
  float = 3.5
  exp = 5e+22
  bool = true
  basic = "tab\tquote\"unicode\u00e9"
  literal = 'C:\no\escapes'
  multi = """
  first
  second"""
  array = [ 1, 2, 3 ]
  nested-array = [ [ 1, 2 ], [ "a", "b" ] ]
  inline = { x = 1, y = { z = "deep" } }
  dotted.key.path = "dotted"
  "quoted key" = 1

  [table]
  a = 1

  [table.sub]
  b = 2

  [[products]]
  name = "hammer"

  [[products]]
  name = "nail"
  count = 3
''
