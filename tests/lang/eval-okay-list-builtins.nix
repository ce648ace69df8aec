with builtins;
{
  elemAt = elemAt [ 1 2 3 ] 2;
  genList = genList (i: i * i) 5;
  foldl = foldl' (acc: x: acc ++ [ x ]) [ 0 ] [ 1 2 ];
  concatMap = concatMap (x: [ x x ]) [ 1 2 ];
  partition = partition (x: x > 2) [ 1 3 2 4 ];
  groupBy = groupBy (x: if x > 2 then "big" else "small") [ 1 3 2 4 ];
  zipAttrsWith = zipAttrsWith (n: vs: vs) [ { a = 1; } { a = 2; b = 3; } ];
  listToAttrs = listToAttrs [
    { name = "a"; value = 1; } { name = "b"; value = 2; } { name = "a"; value = 3; }
  ];
  attrNames = attrNames { b = 1; a = 2; B = 3; "" = 4; _ = 5; "1" = 6; };
  attrValues = attrValues { b = 1; a = 2; };
  catAttrs = catAttrs "a" [ { a = 1; } { } { a = 2; } ];
  filter = filter (x: x != null) [ 1 null 2 ];
  all = [ (all (x: x) [ ]) (any (x: x) [ ]) ];
  tail = tail [ 1 2 3 ];
  head = head [ "h" ];
  length = length (genList (x: x) 1000);
  sortedNames = attrNames (listToAttrs (map (n: { name = n; value = null; })
    [ "zeta" "Alpha" "alpha" "10" "9" "_x" "-y" ]));
}
