# lib.attrsets, plus getExe/getExe' (nixpkgs' lib.meta).
{ lib }:
let
  fails = e: !(builtins.tryEval e).success;
  drv = extra: {
    type = "derivation";
    name = "hello-2.12";
    outPath = "/nix/store/00000000000000000000000000000000-hello-2.12";
  } // extra;
in
{
  testOptionalAttrsTrue = { expr = lib.optionalAttrs true { my = "set"; }; expected = { my = "set"; }; };
  testOptionalAttrsFalse = { expr = lib.optionalAttrs false { my = "set"; }; expected = { }; };
  testNameValuePair = { expr = lib.nameValuePair "some" 6; expected = { name = "some"; value = 6; }; };
  testMapAttrs = { expr = lib.mapAttrs (n: v: v * 2) { a = 1; b = 2; }; expected = { a = 2; b = 4; }; };
  testMapAttrsPrime = {
    expr = lib.mapAttrs' (name: value: lib.nameValuePair ("foo_" + name) ("bar-" + value)) { x = "a"; y = "b"; };
    expected = { foo_x = "bar-a"; foo_y = "bar-b"; };
  };
  testMapAttrsToList = {
    expr = lib.mapAttrsToList (name: value: name + value) { x = "a"; y = "b"; };
    expected = [ "xa" "yb" ];
  };
  testAttrsToList = {
    expr = lib.attrsets.attrsToList { b = 2; a = 1; };
    expected = [ { name = "a"; value = 1; } { name = "b"; value = 2; } ];
  };
  testMapAttrsRecursive = {
    expr = lib.mapAttrsRecursive (path: value: lib.concatStringsSep "-" (path ++ [ value ])) {
      n = { a = "A"; m = { b = "B"; c = "C"; }; };
      d = "D";
    };
    expected = { n = { a = "n-a-A"; m = { b = "n-m-b-B"; c = "n-m-c-C"; }; }; d = "d-D"; };
  };
  testMapAttrsRecursiveCond = {
    expr = lib.mapAttrsRecursiveCond (as: !(as ? stop)) (path: v: path) { a.b = 1; c = { stop = true; x = 2; }; };
    expected = { a.b = [ "a" "b" ]; c = [ "c" ]; };
  };
  testFilterAttrs = { expr = lib.filterAttrs (n: v: n == "foo") { foo = 1; bar = 2; }; expected = { foo = 1; }; };
  testFilterAttrsValue = { expr = lib.filterAttrs (n: v: v > 1) { a = 1; b = 2; c = 3; }; expected = { b = 2; c = 3; }; };
  testFilterAttrsRecursive = {
    expr = lib.filterAttrsRecursive (n: v: v != null) { foo = { bar = null; baz = 1; }; x = null; };
    expected = { foo = { baz = 1; }; };
  };
  testGenAttrs = {
    expr = lib.genAttrs [ "foo" "bar" ] (name: "x_" + name);
    expected = { foo = "x_foo"; bar = "x_bar"; };
  };
  testGenAttrsDuplicate = { expr = lib.genAttrs [ "a" "a" ] (n: 1); expected = { a = 1; }; };
  testRecursiveUpdate = {
    expr = lib.recursiveUpdate { boot.loader.grub.enable = true; boot.loader.grub.device = "/dev/hda"; }
      { boot.loader.grub.device = ""; };
    expected = { boot.loader.grub.enable = true; boot.loader.grub.device = ""; };
  };
  testRecursiveUpdateReplacesNonSets = {
    expr = lib.recursiveUpdate { a = { b = 1; }; c = 1; } { a = 2; c = { d = 1; }; };
    expected = { a = 2; c = { d = 1; }; };
  };
  testRecursiveUpdateLists = { expr = lib.recursiveUpdate { a = [ 1 ]; } { a = [ 2 ]; }; expected = { a = [ 2 ]; }; };
  testRecursiveUpdateUntil = {
    expr = lib.recursiveUpdateUntil (path: l: r: path == [ "foo" ]) {
      foo.bar = 1; foo.baz = 2; bar = 3;
    } {
      foo.bar = 1; foo.quz = 2; baz = 4;
    };
    expected = { foo.bar = 1; foo.quz = 2; bar = 3; baz = 4; };
  };
  testAttrByPath = { expr = lib.attrByPath [ "a" "b" ] 6 { a = { b = 3; }; }; expected = 3; };
  testAttrByPathDefault = { expr = lib.attrByPath [ "z" "z" ] 6 { a = { b = 3; }; }; expected = 6; };
  testAttrByPathThroughNonSet = { expr = lib.attrByPath [ "a" "b" ] 6 { a = 1; }; expected = 6; };
  testAttrByPathEmpty = { expr = lib.attrByPath [ ] 6 { a = 1; }; expected = { a = 1; }; };
  testHasAttrByPath = { expr = lib.hasAttrByPath [ "a" "b" ] { a = { b = 3; }; }; expected = true; };
  testHasAttrByPathNot = { expr = lib.hasAttrByPath [ "a" "c" ] { a = { b = 3; }; }; expected = false; };
  testHasAttrByPathNonSet = { expr = lib.hasAttrByPath [ "a" "b" ] { a = 3; }; expected = false; };
  testHasAttrByPathEmpty = { expr = lib.hasAttrByPath [ ] { }; expected = true; };
  testLongestValidPathPrefix = {
    expr = lib.attrsets.longestValidPathPrefix [ "a" "b" "c" ] { a.b = { }; };
    expected = [ "a" "b" ];
  };
  testSetAttrByPath = { expr = lib.setAttrByPath [ "a" "b" ] 3; expected = { a = { b = 3; }; }; };
  testSetAttrByPathEmpty = { expr = lib.setAttrByPath [ ] 3; expected = 3; };
  testGetAttrFromPath = { expr = lib.getAttrFromPath [ "a" "b" ] { a = { b = 3; }; }; expected = 3; };
  testAttrVals = { expr = lib.attrVals [ "a" "b" "c" ] { a = 1; b = 2; c = 3; d = 4; }; expected = [ 1 2 3 ]; };
  testAttrValues = { expr = lib.attrValues { c = 3; a = 1; b = 2; }; expected = [ 1 2 3 ]; };
  testGetAttrs = { expr = lib.attrsets.getAttrs [ "a" "b" ] { a = 1; b = 2; c = 3; }; expected = { a = 1; b = 2; }; };
  testCatAttrs = { expr = lib.catAttrs "a" [ { a = 1; } { b = 0; } { a = 2; } ]; expected = [ 1 2 ]; };
  testCollect = {
    expr = lib.collect lib.isList { a = { b = [ "b" ]; }; c = [ 1 ]; };
    expected = [ [ "b" ] [ 1 ] ];
  };
  testCollectSets = {
    expr = lib.collect (x: x ? outPath) { a = { outPath = "a/"; }; b = { c = { outPath = "b/"; }; }; };
    expected = [ { outPath = "a/"; } { outPath = "b/"; } ];
  };
  testZipAttrsWith = {
    expr = lib.zipAttrsWith (name: values: values) [ { a = "x"; } { a = "y"; b = "z"; } ];
    expected = { a = [ "x" "y" ]; b = [ "z" ]; };
  };
  testZipAttrs = { expr = lib.zipAttrs [ { a = "x"; } { a = "y"; b = "z"; } ]; expected = { a = [ "x" "y" ]; b = [ "z" ]; }; };
  testZipAttrsWithNames = {
    expr = lib.zipAttrsWithNames [ "a" ] (name: vs: vs) [ { a = "x"; } { a = "y"; b = "z"; } ];
    expected = { a = [ "x" "y" ]; };
  };
  testFoldAttrs = {
    expr = lib.foldAttrs (item: acc: [ item ] ++ acc) [ ] [ { a = 2; } { a = 3; } ];
    expected = { a = [ 2 3 ]; };
  };
  testFoldlAttrs = {
    expr = lib.foldlAttrs (acc: name: value: { sum = acc.sum + value; names = acc.names ++ [ name ]; })
      { sum = 0; names = [ ]; } { foo = 1; bar = 10; };
    expected = { sum = 11; names = [ "bar" "foo" ]; };
  };
  testFoldlAttrsEmpty = { expr = lib.foldlAttrs (acc: n: v: throw "unused") 42 { }; expected = 42; };
  testConcatMapAttrs = {
    expr = lib.concatMapAttrs (name: value: { ${name} = value; "${name}-${value}" = value; }) { x = "a"; y = "b"; };
    expected = { x = "a"; x-a = "a"; y = "b"; y-b = "b"; };
  };
  testMergeAttrsList = { expr = lib.mergeAttrsList [ { a = 0; b = 1; } { c = 2; d = 3; } { a = 4; } ]; expected = { a = 4; b = 1; c = 2; d = 3; }; };
  testMergeAttrsListEmpty = { expr = lib.mergeAttrsList [ ]; expected = { }; };
  testMatchAttrs = { expr = lib.matchAttrs { cpu = { }; } { cpu = { bits = 64; }; }; expected = true; };
  testMatchAttrsMismatch = { expr = lib.matchAttrs { cpu.bits = 32; } { cpu = { bits = 64; }; }; expected = false; };
  testMatchAttrsMissing = { expr = lib.matchAttrs { os = "linux"; } { cpu = 1; }; expected = false; };
  testOverrideExisting = {
    expr = [ (lib.overrideExisting { a = 1; } { b = 2; }) (lib.overrideExisting { a = 3; b = 2; } { a = 1; }) ];
    expected = [ { a = 1; } { a = 1; b = 2; } ];
  };
  testUnionOfDisjoint = { expr = lib.attrsets.unionOfDisjoint { a = 1; } { b = 2; }; expected = { a = 1; b = 2; }; };
  testUnionOfDisjointClash = { expr = fails (lib.attrsets.unionOfDisjoint { a = 1; } { a = 2; }).a; expected = true; };
  testCartesianProductOfSets = {
    expr = lib.cartesianProductOfSets { a = [ 1 2 ]; b = [ 10 20 ]; };
    expected = [ { a = 1; b = 10; } { a = 1; b = 20; } { a = 2; b = 10; } { a = 2; b = 20; } ];
  };
  testCartesianProductEmptyList = { expr = lib.cartesianProductOfSets { a = [ 1 ]; b = [ ]; }; expected = [ ]; };
  testCartesianProductEmptySet = { expr = lib.cartesianProductOfSets { }; expected = [ { } ]; };
  testMapCartesianProduct = {
    expr = lib.attrsets.mapCartesianProduct ({ a, b }: "${a}-${b}") { a = [ "1" "2" ]; b = [ "3" "4" ]; };
    expected = [ "1-3" "1-4" "2-3" "2-4" ];
  };
  testUpdateManyAttrsByPath = {
    expr = lib.updateManyAttrsByPath [
      { path = [ "a" "b" ]; update = old: { d = old.c; }; }
      { path = [ "a" "b" "c" ]; update = old: old + 1; }
      { path = [ "x" "y" ]; update = old: "xy"; }
    ] { a.b.c = 0; };
    expected = { a = { b = { d = 1; }; }; x = { y = "xy"; }; };
  };
  testUpdateManyAttrsByPathRoot = {
    expr = lib.updateManyAttrsByPath [ { path = [ ]; update = old: old // { z = 1; }; } ] { a = 1; };
    expected = { a = 1; z = 1; };
  };
  testShowAttrPath = {
    expr = map lib.attrsets.showAttrPath [ [ "foo" "10" "bar" ] [ ] ];
    expected = [ "foo.\"10\".bar" "<root attribute path>" ];
  };

  testIsDerivation = { expr = map lib.isDerivation [ (drv { }) { type = "x"; } 1 ]; expected = [ true false false ]; };
  testGetOutputPlain = { expr = lib.getBin (drv { }) == drv { }; expected = true; };
  testGetOutputBin = { expr = lib.getBin (drv { bin = "BIN"; out = "OUT"; }); expected = "BIN"; };
  testGetOutputFallsBackToOut = { expr = lib.getLib (drv { out = "OUT"; }); expected = "OUT"; };
  testGetOutputSpecified = {
    expr = (lib.getDev (drv { outputSpecified = true; dev = "DEV"; })).outputSpecified;
    expected = true;
  };
  testGetOutput = { expr = lib.getOutput "man" (drv { man = "MAN"; }); expected = "MAN"; };
  testGetExeMainProgram = {
    expr = lib.getExe (drv { meta.mainProgram = "hi"; });
    expected = "/nix/store/00000000000000000000000000000000-hello-2.12/bin/hi";
  };
  testGetExeName = {
    expr = lib.getExe (drv { pname = "hello"; });
    expected = "/nix/store/00000000000000000000000000000000-hello-2.12/bin/hello";
  };
  testGetExeNameFromName = {
    expr = lib.getExe (drv { });
    expected = "/nix/store/00000000000000000000000000000000-hello-2.12/bin/hello";
  };
  testGetExePrime = {
    expr = lib.getExe' (drv { }) "hello-wrapper";
    expected = "/nix/store/00000000000000000000000000000000-hello-2.12/bin/hello-wrapper";
  };
  testGetExePrimeBinOutput = {
    expr = lib.getExe' (drv { bin = { outPath = "/nix/store/b"; }; }) "x";
    expected = "/nix/store/b/bin/x";
  };
  testGetExePrimeNested = { expr = fails (lib.getExe' (drv { }) "a/b"); expected = true; };
  testGetExePrimeNotDrv = { expr = fails (lib.getExe' { } "a"); expected = true; };
  testRecurseIntoAttrs = { expr = lib.recurseIntoAttrs { a = 1; }; expected = { a = 1; recurseForDerivations = true; }; };

  testListToAttrs = { expr = lib.listToAttrs [ (lib.nameValuePair "a" 1) (lib.nameValuePair "a" 2) ]; expected = { a = 1; }; };
  testAttrNames = { expr = lib.attrNames { b = 1; a = 2; }; expected = [ "a" "b" ]; };
  testHasAttr = { expr = [ (lib.hasAttr "a" { a = 1; }) (lib.hasAttr "b" { a = 1; }) ]; expected = [ true false ]; };
  testTypePredicates = {
    expr = [ (lib.isAttrs { }) (lib.isList [ ]) (lib.isString "") (lib.isInt 1) (lib.isBool false) (lib.isPath ./.) (lib.isPath "/") ];
    expected = [ true true true true true true false ];
  };
}
