let
  here = __curPos;
  inner = { pos = __curPos; };
in
[
  here
  inner.pos
    __curPos
]
