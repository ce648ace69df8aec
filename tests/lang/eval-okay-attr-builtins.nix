with builtins;
{
  mapAttrs = mapAttrs (n: v: n + toString v) { a = 1; b = 2; };
  removeAttrs = removeAttrs { a = 1; b = 2; c = 3; } [ "b" "nonexistent" ];
  intersectAttrs = intersectAttrs { a = 0; c = 0; } { a = 1; b = 2; c = 3; };
  functionArgs = functionArgs ({ a, b ? 1, ... }: a);
  functionArgsPlain = functionArgs (x: x);
  update = { a = 1; b = { x = 1; }; } // { b = { y = 2; }; c = 3; };
  hasAttr = [ (hasAttr "a" { a = null; }) (hasAttr "b" { a = 1; }) ];
  getAttr = getAttr "a" { a = "A"; };
  isAttrs = [ (isAttrs { }) (isAttrs [ ]) ];
  typeOf = map typeOf [ 1 1.0 "s" true null [ ] { } (x: x) ./. builtins.add ];
  inheritFrom = let s = { p = 1; q = 2; }; in { inherit (s) p q; };
}
