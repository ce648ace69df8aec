builtins.add 1 "a"
