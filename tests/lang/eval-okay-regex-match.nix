let
  m = builtins.match;
in
[
  (m "foo" "foo")
  (m "foo" "foobar")                # whole-string match only
  (m "(f)(o+)" "foo")
  (m "(a)|(b)" "b")                 # unmatched groups are null
  (m "(a)?b" "b")
  (m "" "")
  (m ".*" "")
  (m "([[:alpha:]]+)([[:digit:]]*)" "abc123")
  (m "[^a-c]*" "def")
  (m "a{2,3}" "aaa")
  (m "\\." ".")
  (m "[.]" "a")
  (m "((a)(b))c" "abc")
  (m ".*\\.nix" "default.nix")
  (m "([^/]*)/(.*)" "dir/sub/file")
]
