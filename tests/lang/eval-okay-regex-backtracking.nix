# Group captures that follow libstdc++'s backtracking executor rather than
# POSIX rules: a loop whose body can match empty runs once more at the end,
# so the group captures "" there.
let
  m = builtins.match;
in
[
  (m "(a*)+" "aa")
  (m "(a|)+" "aa")
  (m "(a?)+" "a")
  (m "(a?)*" "aa")
  (m "(a*)*" "aa")
  (m "((a)*)*" "a")
  (m "(()|a)+" "a")
  (m "(a+|b)*" "ab")
  (m "(a|ab)(bc|c)" "abc")
  (builtins.split "(a*)+" "baab")
]
