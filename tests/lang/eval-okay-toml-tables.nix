# fromTOML tables: dotted keys, inline tables, arrays of tables with
# sub-tables, implicit super-tables defined later, and the redefinitions
# toml11 (and so Nix 2.8) accepts.
{
  basic = builtins.fromTOML ''
    # leading comment

    top = 1 # trailing comment
    a . b . "c d" = 2
    inline = { x = 1, y.z = [ 1, "two", 3.0, true, [], {} ] }
    [tbl]
    k = "v"
    [tbl.sub]
    k2 = "v2"
    [[arr]]
    n = 1
    [[arr]]
    n = 2
    [arr.sub]
    s = true
    [[arr.list]]
    i = 1
    [[arr.list]]
    i = 2
  '';
  superLater = builtins.fromTOML ''
    [x.y.z]
    a = 1
    [x]
    b = 2
  '';
  dottedThenTable = builtins.fromTOML ''
    [a]
    b.c = 1
    [a.b]
    d = 2
  '';
  fruit = builtins.fromTOML ''
    [fruit]
    apple.color = "red"
    apple.taste.sweet = true
    [fruit.apple.texture]
    smooth = true
  '';
  arrays = builtins.fromTOML ''
    a = [
      1, # one
      2, # two
    ]
    b = [ [ 1, 2 ], [ "a", 'b' ], [ { x = 1 }, { y = 2 } ] ]
    c = [
      # only a comment
    ]
  '';
  whitespace = builtins.fromTOML "a=1\r\nb =\t2\r\n  [ t . u ]  # c\r\n  c = 3\r\n";
  empty = builtins.fromTOML "";
  onlyComments = builtins.fromTOML "# a\n# b";
}
