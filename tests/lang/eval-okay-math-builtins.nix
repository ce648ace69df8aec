# add, sub, mul, div, lessThan, bitAnd, bitOr, bitXor, ceil, floor.
let
  inherit (builtins) add sub mul div lessThan bitAnd bitOr bitXor ceil floor;
in {
  add = [ (add 1 2) (add 1.5 2) (add 2 1.5) (add (-3) 3) (add 9223372036854775806 1) ];
  sub = [ (sub 1 2) (sub 3.5 1) (sub 1 0.5) (sub (-9223372036854775807) 1) ];
  mul = [ (mul 6 7) (mul 1.5 2) (mul 2 (-1.5)) (mul 4611686018427387903 2) ];
  div = [ (div 7 2) (div (-7) 2) (div 7 (-2)) (div 7.0 2) (div 7 2.0) (div 1 4.0) (div 0 5) ];
  ops = [ (7 - 2) (3 * 4) (9 / 2) (9 / 2.0) (1 + 2) (1 + 0.5) (0.5 * 4) ];
  lessThan = [ (lessThan 1 2) (lessThan 2 1) (lessThan 1 1) (lessThan 1 1.5) (lessThan 1.5 1)
               (lessThan "a" "b") (lessThan "b" "a") (lessThan [ 1 2 ] [ 1 3 ]) (lessThan [ ] [ 1 ])
               (lessThan /a /b) ];
  bitAnd = [ (bitAnd 12 10) (bitAnd (-1) 255) (bitAnd 0 (-1)) ];
  bitOr = [ (bitOr 12 10) (bitOr (-2) 1) ];
  bitXor = [ (bitXor 12 10) (bitXor (-1) 5) ];
  ceil = [ (ceil 1.5) (ceil (-1.5)) (ceil 2) (ceil (-0.5)) (ceil 1.0e30) (ceil (-1.0e30)) (ceil 9.2e18) ];
  floor = [ (floor 1.5) (floor (-1.5)) (floor 2) (floor 0.5) (floor 1.0e30) (floor 9.3e18) ];
}
