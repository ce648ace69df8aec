let
  max = 9223372036854775807;
in
  max + 1
