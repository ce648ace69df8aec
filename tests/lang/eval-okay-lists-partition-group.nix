# partition, groupBy, listToAttrs.
let
  inherit (builtins) partition groupBy listToAttrs substring length attrNames;
  boom = throw "must not be forced";
in {
  partition = partition (x: x > 10) [ 1 23 9 3 42 ];
  partitionEmpty = partition (x: boom) [ ];
  partitionAll = partition (x: true) [ 1 2 ];
  groupBy = groupBy (substring 0 1) [ "foo" "bar" "baz" "fab" "" ];
  groupByEmpty = groupBy (x: boom) [ ];
  groupByOrder = groupBy (x: if x / 2 * 2 == x then "even" else "odd") [ 5 4 3 2 1 0 ];
  listToAttrs = listToAttrs [ { name = "foo"; value = 123; } { name = "bar"; value = 456; } ];
  listToAttrsFirstWins = listToAttrs [ { name = "a"; value = 1; } { name = "b"; value = 2; } { name = "a"; value = 3; } ];
  listToAttrsDupNoValue = listToAttrs [ { name = "a"; value = 1; } { name = "a"; } ];
  listToAttrsLazy = attrNames (listToAttrs [ { name = "x"; value = boom; } { name = "y"; value = boom; } ]);
  listToAttrsEmpty = listToAttrs [ ];
  listToAttrsMany = length (attrNames (listToAttrs (builtins.genList (i: { name = "k${toString (builtins.div i 2)}"; value = i; }) 1000)));
  listToAttrsManyValue = (listToAttrs (builtins.genList (i: { name = "k${toString (builtins.div i 2)}"; value = i; }) 1000)).k250;
}
