# lib.lists.
{ lib }:
let
  fails = e: !(builtins.tryEval e).success;
in
{
  testSingleton = { expr = lib.singleton "foo"; expected = [ "foo" ]; };
  testForEach = { expr = lib.forEach [ 1 2 ] (x: toString x); expected = [ "1" "2" ]; };
  testFoldr = { expr = lib.foldr (a: b: a + b) "z" [ "a" "b" "c" ]; expected = "abcz"; };
  testFoldrOrder = { expr = lib.foldr (x: acc: [ x ] ++ acc) [ ] [ 1 2 3 ]; expected = [ 1 2 3 ]; };
  testFold = { expr = lib.fold (a: b: a - b) 0 [ 10 3 ]; expected = 7; };
  testFoldl = { expr = lib.foldl (a: b: a + b) "z" [ "a" "b" "c" ]; expected = "zabc"; };
  testFoldlOrder = { expr = lib.foldl (acc: x: acc ++ [ x ]) [ ] [ 1 2 3 ]; expected = [ 1 2 3 ]; };
  testFoldlLazyAccumulator = { expr = lib.foldl (acc: x: x) (throw "unused") [ (throw "also unused") 2 ]; expected = 2; };
  testFoldlStrict = { expr = lib.foldl' (acc: x: acc + x) 0 [ 1 2 3 ]; expected = 6; };
  testFoldlStrictForcesInitial = { expr = fails (lib.foldl' (acc: x: x) (throw "bad") [ ]); expected = true; };
  testFoldlEmpty = { expr = lib.foldl (a: b: a + b) 7 [ ]; expected = 7; };
  testFoldrEmpty = { expr = lib.foldr (a: b: a + b) 7 [ ]; expected = 7; };
  testImap0 = { expr = lib.imap0 (i: v: "${v}-${toString i}") [ "a" "b" ]; expected = [ "a-0" "b-1" ]; };
  testImap1 = { expr = lib.imap1 (i: v: "${v}-${toString i}") [ "a" "b" ]; expected = [ "a-1" "b-2" ]; };
  testIfilter0 = { expr = lib.lists.ifilter0 (i: v: i == 0 || v > 2) [ 1 2 3 ]; expected = [ 1 3 ]; };
  testConcatMap = { expr = lib.concatMap (x: [ x ] ++ [ "z" ]) [ "a" "b" ]; expected = [ "a" "z" "b" "z" ]; };
  testFlatten = { expr = lib.flatten [ 1 [ 2 [ 3 ] 4 ] 5 ]; expected = [ 1 2 3 4 5 ]; };
  testFlattenScalar = { expr = lib.flatten 1; expected = [ 1 ]; };
  testFlattenEmpty = { expr = lib.flatten [ [ ] [ [ ] ] ]; expected = [ ]; };
  testRemove = { expr = lib.remove 3 [ 1 3 4 3 ]; expected = [ 1 4 ]; };
  testFindSingleOne = { expr = lib.findSingle (x: x == 3) "none" "multiple" [ 1 3 ]; expected = 3; };
  testFindSingleNone = { expr = lib.findSingle (x: x == 3) "none" "multiple" [ 1 9 ]; expected = "none"; };
  testFindSingleMany = { expr = lib.findSingle (x: x == 3) "none" "multiple" [ 1 3 3 ]; expected = "multiple"; };
  testFindFirst = { expr = lib.findFirst (x: x > 3) 7 [ 1 6 4 ]; expected = 6; };
  testFindFirstDefault = { expr = lib.findFirst (x: x > 9) 7 [ 1 6 4 ]; expected = 7; };
  testFindFirstStopsAtMatch = { expr = lib.findFirst (x: x) null [ true (throw "not reached") ]; expected = true; };
  testFindFirstIndex = { expr = lib.lists.findFirstIndex (x: x > 3) null [ 0 6 4 ]; expected = 1; };
  testFindFirstIndexDefault = { expr = lib.lists.findFirstIndex (x: x > 9) null [ 0 6 4 ]; expected = null; };
  testAny = { expr = [ (lib.any lib.isString [ 1 "a" ]) (lib.any lib.isString [ 1 ]) ]; expected = [ true false ]; };
  testAll = { expr = [ (lib.all (x: x < 3) [ 1 2 ]) (lib.all (x: x < 3) [ 1 2 3 ]) ]; expected = [ true false ]; };
  testAllEmpty = { expr = lib.all (x: false) [ ]; expected = true; };
  testCount = { expr = lib.count (x: x == 1) [ 1 2 3 1 1 ]; expected = 3; };
  testOptionalTrue = { expr = lib.optional true "foo"; expected = [ "foo" ]; };
  testOptionalFalse = { expr = lib.optional false "foo"; expected = [ ]; };
  testOptionalsTrue = { expr = lib.optionals true [ 2 3 ]; expected = [ 2 3 ]; };
  testOptionalsFalse = { expr = lib.optionals false [ 2 3 ]; expected = [ ]; };
  testOptionalsLazy = { expr = lib.optionals false (throw "unused"); expected = [ ]; };
  testToListScalar = { expr = lib.toList 1; expected = [ 1 ]; };
  testToListList = { expr = lib.toList [ 1 ]; expected = [ 1 ]; };
  testRange = { expr = lib.range 2 4; expected = [ 2 3 4 ]; };
  testRangeEmpty = { expr = lib.range 3 2; expected = [ ]; };
  testRangeSingle = { expr = lib.range 5 5; expected = [ 5 ]; };
  testReplicate = { expr = lib.replicate 3 "a"; expected = [ "a" "a" "a" ]; };
  testReplicateZero = { expr = lib.replicate 0 "a"; expected = [ ]; };
  testPartition = {
    expr = lib.partition (x: x > 2) [ 5 1 2 3 4 ];
    expected = { right = [ 5 3 4 ]; wrong = [ 1 2 ]; };
  };
  testGroupBy = {
    expr = lib.groupBy (x: if x > 2 then "big" else "small") [ 5 1 2 3 ];
    expected = { big = [ 5 3 ]; small = [ 1 2 ]; };
  };
  testGroupByPrime = {
    expr = lib.groupBy' builtins.add 0 (x: lib.boolToString (x > 2)) [ 5 1 2 3 4 ];
    expected = { true = 12; false = 3; };
  };
  testZipListsWith = { expr = lib.zipListsWith (a: b: a + b) [ "h" "l" ] [ "e" "o" ]; expected = [ "he" "lo" ]; };
  testZipListsWithShorter = { expr = lib.zipListsWith (a: b: a * b) [ 1 2 3 ] [ 4 5 ]; expected = [ 4 10 ]; };
  testZipLists = {
    expr = lib.zipLists [ 1 2 ] [ "a" "b" ];
    expected = [ { fst = 1; snd = "a"; } { fst = 2; snd = "b"; } ];
  };
  testReverseList = { expr = lib.reverseList [ "b" "o" "j" ]; expected = [ "j" "o" "b" ]; };
  testReverseListEmpty = { expr = lib.reverseList [ ]; expected = [ ]; };
  testSort = { expr = lib.sort (a: b: a < b) [ 5 3 7 ]; expected = [ 3 5 7 ]; };
  testSortOn = { expr = lib.sortOn lib.stringLength [ "aaa" "b" "cc" ]; expected = [ "b" "cc" "aaa" ]; };
  testSortOnStable = {
    expr = lib.sortOn (x: x.k) [ { k = 2; v = "a"; } { k = 1; v = "b"; } { k = 2; v = "c"; } ];
    expected = [ { k = 1; v = "b"; } { k = 2; v = "a"; } { k = 2; v = "c"; } ];
  };
  testCompareLists = {
    expr = map (p: lib.lists.compareLists lib.trivial.compare (builtins.head p) (builtins.elemAt p 1))
      [ [ [ ] [ ] ] [ [ ] [ "a" ] ] [ [ "a" ] [ ] ] [ [ "a" "b" ] [ "a" "c" ] ] ];
    expected = [ 0 (-1) 1 (-1) ];
  };
  testNaturalSort = {
    expr = lib.naturalSort [ "disk11" "disk8" "disk100" "disk9" ];
    expected = [ "disk8" "disk9" "disk11" "disk100" ];
  };
  testNaturalSortVersions = {
    expr = lib.naturalSort [ "v0.2" "v0.15" "v0.0.9" ];
    expected = [ "v0.0.9" "v0.2" "v0.15" ];
  };
  testTake = { expr = lib.take 2 [ "a" "b" "c" "d" ]; expected = [ "a" "b" ]; };
  testTakeZero = { expr = lib.take 0 [ "a" "b" ]; expected = [ ]; };
  testTakeMore = { expr = lib.take 5 [ 1 2 ]; expected = [ 1 2 ]; };
  testDrop = { expr = lib.drop 2 [ "a" "b" "c" "d" ]; expected = [ "c" "d" ]; };
  testDropAll = { expr = lib.drop 3 [ 1 2 ]; expected = [ ]; };
  testDropZero = { expr = lib.drop 0 [ 1 2 ]; expected = [ 1 2 ]; };
  testSublist = { expr = lib.sublist 1 3 [ "a" "b" "c" "d" "e" ]; expected = [ "b" "c" "d" ]; };
  testSublistPastEnd = { expr = lib.sublist 1 3 [ ]; expected = [ ]; };
  testSublistClamp = { expr = lib.sublist 2 10 [ 1 2 3 4 ]; expected = [ 3 4 ]; };
  testListsHasPrefix = { expr = lib.lists.hasPrefix [ 1 2 ] [ 1 2 3 ]; expected = true; };
  testListsHasPrefixNot = { expr = lib.lists.hasPrefix [ 2 ] [ 1 2 3 ]; expected = false; };
  testListsRemovePrefix = { expr = lib.lists.removePrefix [ 1 2 ] [ 1 2 3 ]; expected = [ 3 ]; };
  testListsCommonPrefix = { expr = lib.lists.commonPrefix [ 1 2 3 4 ] [ 1 2 5 ]; expected = [ 1 2 ]; };
  testLast = { expr = lib.last [ 1 2 3 ]; expected = 3; };
  testLastEmpty = { expr = fails (lib.last [ ]); expected = true; };
  testInit = { expr = lib.init [ 1 2 3 ]; expected = [ 1 2 ]; };
  testInitEmpty = { expr = fails (lib.init [ ]); expected = true; };
  testUnique = { expr = lib.unique [ 3 2 3 4 2 ]; expected = [ 3 2 4 ]; };
  testUniqueEmpty = { expr = lib.unique [ ]; expected = [ ]; };
  testAllUnique = { expr = [ (lib.lists.allUnique [ 3 2 4 ]) (lib.lists.allUnique [ 3 2 3 ]) ]; expected = [ true false ]; };
  testIntersectLists = { expr = lib.intersectLists [ 1 2 3 ] [ 6 3 2 ]; expected = [ 3 2 ]; };
  testSubtractLists = { expr = lib.subtractLists [ 3 2 ] [ 1 2 3 4 5 3 ]; expected = [ 1 4 5 ]; };
  testMutuallyExclusive = { expr = lib.mutuallyExclusive [ 1 2 ] [ 3 4 ]; expected = true; };
  testMutuallyExclusiveNot = { expr = lib.mutuallyExclusive [ 1 2 ] [ 2 4 ]; expected = false; };
  testMutuallyExclusiveEmpty = { expr = lib.mutuallyExclusive [ ] [ 1 ]; expected = true; };
  testCrossLists = { expr = lib.crossLists (x: y: "${toString x}${toString y}") [ [ 1 2 ] [ 3 4 ] ]; expected = [ "13" "14" "23" "24" ]; };
  testGenList = { expr = lib.genList (x: x * x) 4; expected = [ 0 1 4 9 ]; };
  testElemAt = { expr = lib.elemAt [ "a" "b" ] 1; expected = "b"; };
  testHeadTail = { expr = [ (lib.head [ 1 2 3 ]) (lib.tail [ 1 2 3 ]) ]; expected = [ 1 [ 2 3 ] ]; };
  testLength = { expr = lib.length [ 1 2 3 ]; expected = 3; };
  testElem = { expr = [ (lib.elem 2 [ 1 2 ]) (lib.elem 5 [ 1 2 ]) ]; expected = [ true false ]; };
  testFilter = { expr = lib.filter (x: x != "a") [ "a" "b" "a" ]; expected = [ "b" ]; };
  testToposort = {
    expr = lib.toposort lib.hasPrefix [ "/home/user" "other" "/" "/home" ];
    expected = { result = [ "/" "/home" "/home/user" "other" ]; };
  };
  testToposortCycle = {
    expr = (lib.toposort (a: b: true) [ 1 2 ]) ? cycle;
    expected = true;
  };
  testListDfs = {
    expr = lib.listDfs true lib.hasPrefix [ "/home/user" "other" "/" "/home" ];
    expected = { minimal = "/"; visited = [ "/home/user" ]; rest = [ "/home" "other" ]; };
  };
  testLongFoldl = { expr = lib.foldl' (a: b: a + b) 0 (lib.range 1 10000); expected = 50005000; };
  testLongUnique = { expr = lib.length (lib.unique (map (x: lib.mod x 10) (lib.range 1 2000))); expected = 10; };
}
