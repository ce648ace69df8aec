let
  big = 4611686018427387904;
in
big * 2
