# `1.0/3.0` is a path literal, not a division; spaces make it one.
let
  p = 1.0/3.0;
in
[ (builtins.typeOf p) (builtins.baseNameOf p) (1.0 / 4.0) (builtins.typeOf (6/3)) ]
