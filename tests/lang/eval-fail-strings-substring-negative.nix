# A negative start is an error (a negative length is not).
builtins.substring (-1) 2 "nixos"
