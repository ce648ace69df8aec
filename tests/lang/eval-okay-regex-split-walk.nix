# builtins.split: non-matching text interleaved with the groups of each
# match, walking matches as std::regex_iterator does (after an empty match,
# a non-empty one at the same place, else one character further on).
let
  s = builtins.split;
in
[
  (s "(a)b" "abc")
  (s "([ac])" "abc")
  (s "(a)|(c)" "abc")
  (s "([[:upper:]]+)" "  FOO   ")
  (s "(a)|b" "abc")
  (s "" "ab")
  (s "" "")
  (s "x*" "axb")
  (s "x*" "")
  (s "a" "")
  (s "^a" "aaa")
  (s "a$" "aaa")
  (s "^" "abc")
  (s "$" "abc")
  (s "a*" "aaa")
  (s "a*" "baaac")
  (s "(a*)(b*)" "aabbcab")
  (s "," "a,b,,c,")
  (s "b*" "abbbc")
  (s "(x)?" "ab")
  (s "[[:space:]]+" " a  b ")
  (s "(,)|(;)" "a,b;c")
  (s "a|ab" "abab")
  (s "\\." "a.b.c")
  (s "(^|,)" "a,b")
  (s "(b|$)" "ab")
  (s "\n" "line 1\nline 2\n")
  (s "z" "no match")
]
