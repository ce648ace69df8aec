# builtins.path takes path, name, filter, recursive and sha256.
builtins.path { path = ./files; mode = 1; }
