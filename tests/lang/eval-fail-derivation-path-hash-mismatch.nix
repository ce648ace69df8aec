# The sha256 given must be that of the result.
builtins.path { path = ./files/hello.txt; sha256 = "0000000000000000000000000000000000000000000000000000000000000000"; }
