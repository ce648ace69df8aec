let
  min = -9223372036854775807 - 1;
in
  builtins.div min (-1)
