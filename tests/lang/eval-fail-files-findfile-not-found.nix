builtins.findFile [ { prefix = "f"; path = ./files; } ] "g/hello.txt"
