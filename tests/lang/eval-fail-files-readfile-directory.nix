builtins.readFile ./files
