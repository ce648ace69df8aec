# lib.trivial: combinators, numbers, warnings and assertions, fixed points,
# function reflection, release identifiers and documentation markers.
{ lib }:
let
  fails = e: !(builtins.tryEval e).success;
  f = { a, b ? 1 }: a + b;
in
{
  testId = { expr = lib.id 5; expected = 5; };
  testConst = { expr = lib.const 5 10; expected = 5; };
  testConstIgnoresSecond = { expr = lib.const 1 (throw "unused"); expected = 1; };
  testFlip = { expr = lib.flip lib.concat [ 1 ] [ 2 ]; expected = [ 2 1 ]; };
  testFlipSub = { expr = lib.flip builtins.sub 1 10; expected = 9; };
  testPipe = { expr = lib.pipe 2 [ (x: x + 2) (x: x * 2) ]; expected = 8; };
  testPipeEmpty = { expr = lib.pipe 7 [ ]; expected = 7; };
  testPipeStrings = {
    expr = lib.pipe [ "a" "b" ] [ (map lib.toUpper) (lib.concatStringsSep "-") ];
    expected = "A-B";
  };
  testConcat = { expr = lib.concat [ 1 2 ] [ 3 ]; expected = [ 1 2 3 ]; };
  testOr = { expr = [ (lib.or true false) (lib.or false false) ]; expected = [ true false ]; };
  testAnd = { expr = [ (lib.and true true) (lib.and true false) ]; expected = [ true false ]; };
  testXor = {
    expr = [ (lib.xor true false) (lib.xor true true) (lib.xor false false) ];
    expected = [ true false false ];
  };
  testMergeAttrs = { expr = lib.mergeAttrs { a = 1; b = 1; } { b = 2; }; expected = { a = 1; b = 2; }; };
  testBoolToString = { expr = [ (lib.boolToString true) (lib.boolToString false) ]; expected = [ "true" "false" ]; };
  testMapNullableNull = { expr = lib.mapNullable (x: x + 1) null; expected = null; };
  testMapNullableValue = { expr = lib.mapNullable (x: x + 1) 41; expected = 42; };
  testBitNot = { expr = lib.bitNot 0; expected = -1; };
  testBitAnd = { expr = lib.bitAnd 12 10; expected = 8; };

  testMin = { expr = lib.min 3 (-1); expected = -1; };
  testMax = { expr = lib.max 3 (-1); expected = 3; };
  testMaxStrings = { expr = lib.max "a" "b"; expected = "b"; };
  testMod = { expr = lib.mod 11 10; expected = 1; };
  testModZero = { expr = lib.mod 20 10; expected = 0; };
  testModNegative = { expr = lib.mod (-7) 3; expected = -1; };
  testCompare = {
    expr = [ (lib.trivial.compare 1 2) (lib.trivial.compare 2 2) (lib.trivial.compare 3 2) ];
    expected = [ (-1) 0 1 ];
  };
  testSplitByAndCompare = {
    expr = builtins.sort
      (a: b: lib.trivial.splitByAndCompare (lib.hasPrefix "foo") lib.trivial.compare lib.trivial.compare a b < 0)
      [ "b" "fooz" "a" "fooa" ];
    expected = [ "fooa" "fooz" "a" "b" ];
  };
  testToHexString = { expr = lib.toHexString 250; expected = "FA"; };
  testToHexStringZero = { expr = lib.toHexString 0; expected = "0"; };
  testToHexString4096 = { expr = lib.toHexString 4096; expected = "1000"; };
  testToBaseDigits = { expr = lib.toBaseDigits 2 6; expected = [ 1 1 0 ]; };
  testToBaseDigitsDecimal = { expr = lib.toBaseDigits 10 1024; expected = [ 1 0 2 4 ]; };
  testFromHexString = { expr = lib.fromHexString "FF"; expected = 255; };
  testFromHexStringPrefix = { expr = lib.fromHexString "0x1a"; expected = 26; };

  testVersion = { expr = lib.version; expected = "24.05-firn"; };
  testTrivialRelease = { expr = lib.trivial.release; expected = "24.05"; };
  testVersionIsReleasePlusSuffix = { expr = lib.trivial.release + lib.trivial.versionSuffix; expected = lib.trivial.version; };
  testInNixShell = { expr = lib.inNixShell; expected = false; };

  testImportJSON = { expr = lib.importJSON ../fixtures/data.json; expected = { a = 1; b = [ "x" true null ]; }; };
  testImportTOML = {
    expr = lib.importTOML ../fixtures/data.toml;
    expected = { name = "firn"; section = { key = "value"; n = 3; }; };
  };

  testWarnIfFalseIsIdentity = { expr = lib.warnIf false "never shown" 3; expected = 3; };
  testWarnIfNotTrueIsIdentity = { expr = lib.warnIfNot true "never shown" 3; expected = 3; };
  testWarnReturnsValue = { expr = lib.warn "lib test: this warning is expected" 4; expected = 4; };
  testTraceIfFalse = { expr = lib.traceIf false "never shown" 5; expected = 5; };
  testTraceValFn = { expr = lib.traceValFn (x: "lib test: traced ${toString x}") 6; expected = 6; };
  testTraceSeq = { expr = lib.traceSeq [ "lib test: traced" ] 7; expected = 7; };
  testThrowIfFalse = { expr = lib.throwIf false "boom" 1; expected = 1; };
  testThrowIfTrue = { expr = fails (lib.throwIf true "boom" 1); expected = true; };
  testThrowIfNotTrue = { expr = lib.throwIfNot true "boom" 1; expected = 1; };
  testThrowIfNotFalse = { expr = fails (lib.throwIfNot false "boom" 1); expected = true; };
  testAssertMsgTrue = { expr = lib.assertMsg true "fine"; expected = true; };
  testAssertMsgFalse = { expr = fails (assert lib.assertMsg false "no"; 1); expected = true; };
  testAssertOneOfOk = { expr = lib.assertOneOf "color" "red" [ "red" "green" ]; expected = true; };
  testAssertOneOfBad = { expr = fails (lib.assertOneOf "color" "blue" [ "red" "green" ]); expected = true; };
  testAssertEachOneOf = { expr = lib.trivial.assertEachOneOf "c" [ "a" "b" ] [ "a" "b" "c" ]; expected = true; };
  testCheckListOfEnumOk = { expr = lib.trivial.checkListOfEnum "fruit" [ "apple" "pear" ] [ "pear" ] 1; expected = 1; };
  testCheckListOfEnumBad = { expr = fails (lib.trivial.checkListOfEnum "fruit" [ "apple" ] [ "kiwi" ] 1); expected = true; };

  testFunctionArgs = { expr = lib.functionArgs f; expected = { a = false; b = true; }; };
  testFunctionArgsPlain = { expr = lib.functionArgs (x: x); expected = { }; };
  testSetFunctionArgs = {
    expr = let g = lib.setFunctionArgs (args: args.a * 2) { a = false; }; in [ (lib.functionArgs g) (g { a = 21; }) ];
    expected = [ { a = false; } 42 ];
  };
  testMirrorFunctionArgs = {
    expr = lib.functionArgs (lib.mirrorFunctionArgs f (args: f args));
    expected = { a = false; b = true; };
  };
  testIsFunction = {
    expr = map lib.isFunction [ (x: x) { __functor = self: x: x; } { } 1 ];
    expected = [ true true false false ];
  };
  testToFunctionValue = { expr = lib.toFunction 5 null; expected = 5; };
  testToFunctionFunction = { expr = lib.toFunction (x: x + 1) 1; expected = 2; };

  testFix = { expr = (lib.fix (self: { a = 1; b = self.a + 1; })).b; expected = 2; };
  testFixFactorial = {
    expr = lib.fix (fac: n: if n == 0 then 1 else n * fac (n - 1)) 5;
    expected = 120;
  };
  testExtends = {
    expr = lib.fix (lib.extends (final: prev: { b = prev.a + 10; c = final.b; }) (self: { a = 1; b = 2; }));
    expected = { a = 1; b = 11; c = 11; };
  };
  testComposeExtensions = {
    expr = lib.fix (lib.extends
      (lib.composeExtensions (final: prev: { x = prev.x + 1; }) (final: prev: { x = prev.x * 10; }))
      (self: { x = 1; }));
    expected = { x = 20; };
  };
  testMakeExtensible = {
    expr = let
      e = lib.makeExtensible (self: { a = 1; b = self.a + 1; });
      e2 = e.extend (final: prev: { a = 5; });
    in [ e.b e2.b ];
    expected = [ 2 6 ];
  };

  testIsType = { expr = lib.isType "foo" { _type = "foo"; }; expected = true; };
  testIsTypeOther = { expr = lib.isType "foo" { }; expected = false; };
  testLiteralExpression = {
    expr = lib.literalExpression "pkgs.hello";
    expected = { _type = "literalExpression"; text = "pkgs.hello"; };
  };
  testLiteralExpressionNotString = { expr = fails (lib.literalExpression 1); expected = true; };
  testLiteralMD = { expr = lib.literalMD "*x*"; expected = { _type = "literalMD"; text = "*x*"; }; };
  testMdDoc = { expr = lib.mdDoc "text"; expected = "text"; };

  testSeq = { expr = lib.seq 1 2; expected = 2; };
  testDeepSeqThrows = { expr = fails (lib.deepSeq { a = [ (throw "x") ]; } 1); expected = true; };
  testSeqShallow = { expr = lib.seq { a = throw "x"; } 1; expected = 1; };
}
