builtins.readDir ./files/hello.txt
