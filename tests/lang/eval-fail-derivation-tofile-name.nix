# A store path name has a restricted alphabet.
builtins.toFile "a b" "x"
