builtins.readFileType ./files/missing
