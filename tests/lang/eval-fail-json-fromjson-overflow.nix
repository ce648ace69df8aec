builtins.fromJSON "[1.5e400]"
