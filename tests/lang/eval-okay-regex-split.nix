let
  s = builtins.split;
in
[
  (s "," "a,b,c")
  (s "(,)" "a,b")
  (s "," "")
  (s "," ",")
  (s "x*" "abc")                    # empty matches between characters
  (s "(a)|(b)" "xaybz")
  (s "[[:space:]]+" "  leading and trailing  ")
  (s "(=)" "no-match")
  (s "(a*)" "baac")
]
