builtins.fromJSON "[\"a\tb\"]"
