# Syntax corners that must parse: identifiers with ' and -, `or` as an
# attribute name, quoted and dynamic attribute names, URIs, search paths,
# paths with antiquotation, floats without leading/trailing digits, comments.
let
  a-b' = 1;
  f = { x ? 1, y, ... }@args: x;
  g = args@{ ... }: args;
  s = { or = 1; "quoted name" = 2; ${"dyn"} = 3; "${"d"}yn2" = 4; };
  u = http://example.org/a?b=c&d=e;
  p = ./foo/${"bar"}/baz.nix;
  sp = <nixpkgs/lib>;
  fl = [ .5 1. 0.25 1.0e3 2.5E-2 ];
  /* a block comment /* not nested */
  h = x: y: x.a.b or y;
in
# a comment without a trailing newline at the end of the file
{ inherit a-b' f g s u p sp fl h; inherit (s) or; c = s.or; }
