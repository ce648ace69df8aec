builtins.fromTOML "a = {b=1}\na.c = 2"
