let
  a = 1;
  s = {
    x = 1;
      y.z = 2;
    inherit a;
    "quoted" = 3;
  };
in
[
  (builtins.unsafeGetAttrPos "x" s)
  (builtins.unsafeGetAttrPos "y" s)
  (builtins.unsafeGetAttrPos "z" s.y)
  (builtins.unsafeGetAttrPos "a" s)
  (builtins.unsafeGetAttrPos "quoted" s)
  (builtins.unsafeGetAttrPos "missing" s)
]
