# Escapes inside ''...'' strings.
[
  ''
    dollar: ''$ and ''${not interpolated}
    quotes: ''' and '''' and '
    escapes: ''\n ''\t ''\r ''\\ ''\x
    lone dollars: $ $$ $a ${"interp"}
  ''
  ''no newline at start''
  ''  leading spaces on the first line are kept''
  ''
  ''
  ''${"x"}''
  ''a${"b"}c''
]
