builtins.fromTOML "a = [{b = 42}]\n[[a]]\nb = 54"
