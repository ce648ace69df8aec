builtins.readFile ./files/missing
