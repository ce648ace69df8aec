builtins.fromTOML "a = # nothing"
