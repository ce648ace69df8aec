# map, filter, head, tail, elemAt, elem, length, concatLists, concatMap,
# any, all, catAttrs: results and laziness.
let
  inherit (builtins) filter head tail elemAt elem length concatLists concatMap any all catAttrs;
  xs = [ 1 2 3 4 5 ];
  boom = throw "must not be forced";
in {
  map = map (x: x * 10) xs;
  mapEmpty = map boom [ ];
  mapLazy = length (map (x: throw "lazy") xs);
  mapLazyElem = elemAt (map (x: if x == 3 then throw "no" else x + 1) xs) 1;
  filter = filter (x: x > 2) xs;
  filterNone = filter (x: false) xs;
  filterAll = filter (x: true) xs;
  filterKeepsThunks = length (filter (x: true) [ boom boom ]);
  head = head xs;
  headLazyRest = head [ 1 boom ];
  tail = tail xs;
  tailOne = tail [ 1 ];
  tailLazy = length (tail [ boom boom boom ]);
  tailTail = tail (tail (tail xs));
  elemAt = elemAt xs 4;
  elemAtWrap = elemAt xs 4294967296;
  elem = [ (elem 3 xs) (elem 6 xs) (elem [ 1 ] [ [ 1 ] ]) (elem { a = 1; } [ { a = 1; } ]) (elem 1 [ 1.0 ]) (elem 1 [ ]) ];
  length = [ (length xs) (length [ ]) (length [ boom ]) ];
  concatLists = concatLists [ [ 1 ] [ ] [ 2 3 ] [ [ 4 ] ] ];
  concatListsEmpty = concatLists [ [ ] [ ] ];
  concatListsOne = concatLists [ [ ] xs [ ] ];
  concatMap = concatMap (x: [ x x ]) [ 1 2 3 ];
  concatMapEmpty = concatMap (x: [ ]) xs;
  any = [ (any (x: x > 4) xs) (any (x: x > 5) xs) (any (x: boom) [ ]) (any (x: x == 1) [ 1 boom ]) ];
  all = [ (all (x: x > 0) xs) (all (x: x > 1) xs) (all (x: boom) [ ]) (all (x: x == 2) [ 1 boom ]) ];
  catAttrs = catAttrs "a" [ { a = 1; } { b = 0; } { a = 2; c = 3; } ];
  catAttrsLazy = length (catAttrs "a" [ { a = boom; } { a = boom; } ]);
}
