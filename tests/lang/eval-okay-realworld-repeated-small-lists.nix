# Lists of one or two elements are stored inside the value in Nix 2.8, so a
# copied value (through a function call or a select) is not «repeated».
let
  f = x: x;
  one = [ 1 ];
  two = [ 1 2 ];
  s = rec { mv = [ 2 ]; ov = { value = mv; }; };
in [ (f one) (f one) (f two) (f two) one one s.mv s.ov ]
