let
  notAFunction = 1;
in
{ r = notAFunction 2; }.r
