# nix-instantiate prints a value it has already printed (same attribute set,
# or same list of three or more elements) as «repeated».
let
  shared = { q = 1; };
  big = [ 1 2 3 ];
  s = rec { mv = big; ov = { value = mv; }; sv = shared; ow = { inner = sv; }; };
in [ shared { again = shared; } big { again = big; } s.mv s.ov s.ow { } { } [ ] [ ] ]
