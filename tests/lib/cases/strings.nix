# lib.strings.
{ lib }:
let
  fails = e: !(builtins.tryEval e).success;
  # A string depending on a store path, without touching any store.
  storePath = "/nix/store/00000000000000000000000000000000-x";
  withContext = builtins.appendContext "${storePath}/bin" { ${storePath} = { path = true; }; };
  pkg = name: outputs: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
  } // outputs;
in
{
  testConcatStrings = { expr = lib.concatStrings [ "foo" "bar" ]; expected = "foobar"; };
  testConcatStringsEmpty = { expr = lib.concatStrings [ ]; expected = ""; };
  testConcatMapStrings = { expr = lib.concatMapStrings (x: x + ";") [ "a" "b" ]; expected = "a;b;"; };
  testConcatImapStrings = { expr = lib.concatImapStrings (i: x: x + toString i) [ "a" "b" ]; expected = "a1b2"; };
  testConcatStringsSep = { expr = lib.concatStringsSep "/" [ "usr" "local" "bin" ]; expected = "usr/local/bin"; };
  testConcatMapStringsSep = {
    expr = lib.concatMapStringsSep "-" (x: lib.toUpper x) [ "foo" "bar" "baz" ];
    expected = "FOO-BAR-BAZ";
  };
  testConcatImapStringsSep = {
    expr = lib.strings.concatImapStringsSep "-" (i: x: x + toString i) [ "foo" "bar" ];
    expected = "foo1-bar2";
  };
  testConcatLines = { expr = lib.concatLines [ "foo" "bar" ]; expected = "foo\nbar\n"; };
  testConcatLinesEmpty = { expr = lib.concatLines [ ]; expected = ""; };
  testIntersperse = { expr = lib.intersperse "/" [ "usr" "local" "bin" ]; expected = [ "usr" "/" "local" "/" "bin" ]; };
  testIntersperseOne = { expr = lib.intersperse "/" [ "usr" ]; expected = [ "usr" ]; };
  testIntersperseEmpty = { expr = lib.intersperse "/" [ ]; expected = [ ]; };
  testOptionalStringTrue = { expr = lib.optionalString true "some-string"; expected = "some-string"; };
  testOptionalStringFalse = { expr = lib.optionalString false "some-string"; expected = ""; };

  testSplitStringComma = { expr = lib.splitString "," "a,b,c"; expected = [ "a" "b" "c" ]; };
  testSplitStringDot = { expr = lib.splitString "." "foo.bar.baz"; expected = [ "foo" "bar" "baz" ]; };
  testSplitStringEmptyParts = { expr = lib.splitString "/" "/usr/local/bin/"; expected = [ "" "usr" "local" "bin" "" ]; };
  testSplitStringMultiChar = { expr = lib.splitString "::" "a::b:c"; expected = [ "a" "b:c" ]; };
  testSplitStringNoSep = { expr = lib.splitString "," "abc"; expected = [ "abc" ]; };
  testSplitStringEmpty = { expr = lib.splitString "," ""; expected = [ "" ]; };
  testSplitStringRegexChars = { expr = lib.splitString "|" "a|b"; expected = [ "a" "b" ]; };
  testSplitStringKeepsContext = {
    expr = map builtins.hasContext (lib.splitString "/" withContext);
    expected = [ true true true true true ];
  };

  testHasPrefix = { expr = lib.hasPrefix "foo" "foobar"; expected = true; };
  testHasPrefixNot = { expr = lib.hasPrefix "foo" "barfoo"; expected = false; };
  testHasPrefixEmpty = { expr = lib.hasPrefix "" "x"; expected = true; };
  testHasSuffix = { expr = lib.hasSuffix "foo" "barfoo"; expected = true; };
  testHasSuffixNot = { expr = lib.hasSuffix "foo" "foobar"; expected = false; };
  testHasSuffixLonger = { expr = lib.hasSuffix "foobar" "bar"; expected = false; };
  testHasInfix = { expr = lib.hasInfix "bc" "abcd"; expected = true; };
  testHasInfixNot = { expr = lib.hasInfix "ab" "defg"; expected = false; };
  testHasInfixRegexChars = { expr = [ (lib.hasInfix "a.c" "abc") (lib.hasInfix "a.c" "xa.cy") ]; expected = [ false true ]; };
  testHasInfixMultiline = { expr = lib.hasInfix "needle" "hay\nneedle\nhay"; expected = true; };
  testRemovePrefix = { expr = lib.removePrefix "foo." "foo.bar.baz"; expected = "bar.baz"; };
  testRemovePrefixAbsent = { expr = lib.removePrefix "xxx" "foo.bar.baz"; expected = "foo.bar.baz"; };
  testRemoveSuffix = { expr = lib.removeSuffix "front" "homefront"; expected = "home"; };
  testRemoveSuffixAbsent = { expr = lib.removeSuffix "xxx" "homefront"; expected = "homefront"; };
  testRemoveSuffixLonger = { expr = lib.removeSuffix "longer" "short"; expected = "short"; };

  testToUpper = { expr = lib.toUpper "home-1"; expected = "HOME-1"; };
  testToLower = { expr = lib.toLower "HOME-1"; expected = "home-1"; };
  testLowerChars = { expr = lib.length lib.lowerChars; expected = 26; };
  testUpperCharsFirst = { expr = lib.head lib.upperChars; expected = "A"; };
  testStringToCharacters = { expr = lib.stringToCharacters "abc"; expected = [ "a" "b" "c" ]; };
  testStringToCharactersEmpty = { expr = lib.stringToCharacters ""; expected = [ ]; };
  testStringAsChars = {
    expr = lib.strings.stringAsChars (x: if x == "a" then "i" else x) "nax";
    expected = "nix";
  };
  testStringLength = { expr = lib.stringLength "hello"; expected = 5; };
  testSubstring = { expr = lib.substring 1 3 "hello"; expected = "ell"; };
  testReplaceStrings = { expr = lib.replaceStrings [ "a" "b" ] [ "x" "y" ] "abcab"; expected = "xycxy"; };

  testEscape = { expr = lib.escape [ "(" ")" ] "(foo)"; expected = "\\(foo\\)"; };
  testEscapeShellArgPlain = { expr = lib.escapeShellArg "esc'ape\nme"; expected = "'esc'\\''ape\nme'"; };
  testEscapeShellArgSafe = { expr = lib.escapeShellArg "/usr/bin:foo,bar@baz%1+2"; expected = "/usr/bin:foo,bar@baz%1+2"; };
  testEscapeShellArgSpace = { expr = lib.escapeShellArg "a b"; expected = "'a b'"; };
  testEscapeShellArgEmpty = { expr = lib.escapeShellArg ""; expected = "''"; };
  testEscapeShellArgKeepsContext = { expr = builtins.hasContext (lib.escapeShellArg "a b${withContext}"); expected = true; };
  testToUpperKeepsContext = { expr = builtins.hasContext (lib.toUpper withContext); expected = true; };
  testRemovePrefixKeepsContext = { expr = builtins.hasContext (lib.removePrefix "/nix" withContext); expected = true; };
  testEscapeShellArgInt = { expr = lib.escapeShellArg 42; expected = "42"; };
  testEscapeShellArgDollar = { expr = lib.escapeShellArg "$HOME"; expected = "'$HOME'"; };
  testEscapeShellArgs = { expr = lib.escapeShellArgs [ "one" "two three" "four'five" ]; expected = "one 'two three' 'four'\\''five'"; };
  testEscapeNixString = { expr = lib.escapeNixString "hello\${}\n"; expected = "\"hello\\\${}\\n\""; };
  testEscapeNixStringQuote = { expr = lib.escapeNixString "a\"b"; expected = "\"a\\\"b\""; };
  testEscapeRegex = { expr = lib.escapeRegex "[^a-z]*"; expected = "\\[\\^a-z]\\*"; };
  testEscapeRegexMatches = { expr = builtins.match (lib.escapeRegex "a.b*") "a.b*" != null; expected = true; };
  testEscapeNixIdentifier = {
    expr = map lib.strings.escapeNixIdentifier [ "hello" "0abc" "foo-bar'" "a b" ];
    expected = [ "hello" "\"0abc\"" "foo-bar'" "\"a b\"" ];
  };
  testEscapeXML = { expr = lib.escapeXML ''"test" 'test' < & >''; expected = "&quot;test&quot; &apos;test&apos; &lt; &amp; &gt;"; };
  testEscapeC = { expr = lib.strings.escapeC [ " " ] "foo bar"; expected = "foo\\x20bar"; };
  testEscapeURL = {
    expr = map lib.strings.escapeURL [ "foo/bar" "foo bar" "foo%bar" "A-z_0.9~" ];
    expected = [ "foo%2Fbar" "foo%20bar" "foo%25bar" "A-z_0.9~" ];
  };
  testCharToInt = { expr = map lib.strings.charToInt [ "A" " " "a" "~" "\n" ]; expected = [ 65 32 97 126 10 ]; };
  testIsValidPosixName = {
    expr = map lib.strings.isValidPosixName [ "foo_bar000" "0-bad.jpg" "_x" "" ];
    expected = [ true false true false ];
  };
  testToShellVarString = { expr = lib.strings.toShellVar "foo" "some string"; expected = "foo='some string'"; };
  testToShellVarList = { expr = lib.strings.toShellVar "l" [ "a" "b c" ]; expected = "declare -a l=(a 'b c')"; };
  testToShellVarAttrs = { expr = lib.strings.toShellVar "m" { x = "1"; "y z" = "2"; }; expected = "declare -A m=([x]=1 ['y z']=2)"; };
  testToShellVarBadName = { expr = fails (lib.strings.toShellVar "1x" "v"); expected = true; };
  testToShellVars = { expr = lib.strings.toShellVars { a = "1"; b = "x y"; }; expected = "a=1\nb='x y'"; };

  testMakeSearchPath = { expr = lib.makeSearchPath "bin" [ "/root" "/usr" "/usr/local" ]; expected = "/root/bin:/usr/bin:/usr/local/bin"; };
  testMakeSearchPathNull = { expr = lib.makeSearchPath "bin" [ "/" "/usr" null ]; expected = "//bin:/usr/bin"; };
  testMakeSearchPathEmpty = { expr = lib.makeSearchPath "bin" [ ]; expected = ""; };
  testMakeBinPath = {
    expr = lib.makeBinPath [ (pkg "a" { }) "/usr" ];
    expected = "/nix/store/00000000000000000000000000000000-a/bin:/usr/bin";
  };
  testMakeBinPathBinOutput = {
    expr = lib.makeBinPath [ (pkg "multi" { bin = "/nix/store/11111111111111111111111111111111-multi-bin"; }) ];
    expected = "/nix/store/11111111111111111111111111111111-multi-bin/bin";
  };
  testMakeLibraryPath = {
    expr = lib.makeLibraryPath [ "/usr" (pkg "z" { lib = "/nix/store/22222222222222222222222222222222-z-lib"; }) ];
    expected = "/usr/lib:/nix/store/22222222222222222222222222222222-z-lib/lib";
  };
  testMakeSearchPathOutput = {
    expr = lib.makeSearchPathOutput "dev" "include" [ (pkg "x" { dev = "/d"; }) ];
    expected = "/d/include";
  };
  testNormalizePath = { expr = lib.strings.normalizePath "//a//b///"; expected = "/a/b/"; };
  testNormalizePathClean = { expr = lib.strings.normalizePath "/a/b"; expected = "/a/b"; };
  testIsStorePath = { expr = lib.isStorePath "/nix/store/d945ibfx9x185xf04b890y4f9g3cbb63-python-2.7.11"; expected = true; };
  testIsStorePathSubdir = { expr = lib.isStorePath "/nix/store/d945ibfx9x185xf04b890y4f9g3cbb63-python-2.7.11/bin/python"; expected = false; };
  testIsStorePathOther = { expr = map lib.isStorePath [ "/etc/passwd" "nix/store/abc-x" 1 ]; expected = [ false false false ]; };
  testIsStorePathDrv = { expr = lib.isStorePath (pkg "a" { }); expected = true; };
  testFileContents = { expr = lib.fileContents ../fixtures/lines.txt; expected = "first line\nsecond line"; };
  testStringsFileContents = { expr = lib.strings.fileContents ../fixtures/lines.txt; expected = "first line\nsecond line"; };

  testVersionOlder = { expr = [ (lib.versionOlder "1.1" "1.2") (lib.versionOlder "1.1" "1.1") (lib.versionOlder "1.10" "1.9") ]; expected = [ true false false ]; };
  testVersionAtLeast = { expr = [ (lib.versionAtLeast "1.1" "1.0") (lib.versionAtLeast "1.1" "1.1") (lib.versionAtLeast "1.1" "1.2") ]; expected = [ true true false ]; };
  testVersionPre = { expr = lib.versionOlder "2.0pre1" "2.0"; expected = true; };
  testGetName = { expr = lib.getName "youtube-dl-2016.01.01"; expected = "youtube-dl"; };
  testGetNamePname = { expr = lib.getName { pname = "hello"; name = "hello-2.12"; }; expected = "hello"; };
  testGetNameFromName = { expr = lib.getName { name = "hello-2.12"; }; expected = "hello"; };
  testGetVersion = { expr = lib.getVersion "youtube-dl-2016.01.01"; expected = "2016.01.01"; };
  testGetVersionAttr = { expr = lib.getVersion { name = "x-1"; version = "2"; }; expected = "2"; };
  testGetVersionFromName = { expr = lib.getVersion { name = "sudo-1.9.15p5"; }; expected = "1.9.15p5"; };
  testNameFromURL = { expr = lib.strings.nameFromURL "https://nixos.org/releases/nix/nix-1.7/nix-1.7-x86_64-linux.tar.bz2" "-"; expected = "nix"; };
  testSanitizeDerivationName = { expr = lib.strings.sanitizeDerivationName "../hello.bar # foo"; expected = "-hello.bar-foo"; };
  testSanitizeDerivationNameEmpty = { expr = lib.strings.sanitizeDerivationName ""; expected = "unknown"; };
  testSanitizeDerivationNameOk = { expr = lib.strings.sanitizeDerivationName "hello-1.0"; expected = "hello-1.0"; };
  testSanitizeDerivationNameLong = { expr = lib.stringLength (lib.strings.sanitizeDerivationName (lib.concatStrings (lib.replicate 300 "a"))); expected = 207; };
  testEnableFeature = { expr = [ (lib.strings.enableFeature true "shared") (lib.strings.enableFeature false "shared") ]; expected = [ "--enable-shared" "--disable-shared" ]; };
  testEnableFeatureAs = { expr = lib.strings.enableFeatureAs true "shared" "foo"; expected = "--enable-shared=foo"; };
  testWithFeature = { expr = lib.strings.withFeature false "x"; expected = "--without-x"; };
  testWithFeatureAs = { expr = lib.strings.withFeatureAs true "x" "y"; expected = "--with-x=y"; };
  testMesonBool = { expr = lib.strings.mesonBool "docs" false; expected = "-Ddocs=false"; };
  testMesonEnable = { expr = lib.strings.mesonEnable "x11" true; expected = "-Dx11=enabled"; };
  testCmakeBool = { expr = lib.strings.cmakeBool "ENABLE_FOO" true; expected = "-DENABLE_FOO:BOOL=TRUE"; };
  testCmakeFeature = { expr = lib.strings.cmakeFeature "MODULES" "badblock"; expected = "-DMODULES:STRING=badblock"; };

  testFixedWidthString = { expr = lib.fixedWidthString 5 "0" (toString 15); expected = "00015"; };
  testFixedWidthStringExact = { expr = lib.fixedWidthString 3 " " "abc"; expected = "abc"; };
  testFixedWidthStringTooLong = { expr = fails (lib.fixedWidthString 2 "0" "abc"); expected = true; };
  testFixedWidthNumber = { expr = lib.fixedWidthNumber 5 15; expected = "00015"; };
  testToInt = { expr = map lib.toInt [ "1337" "-4" " 123 " "0" ]; expected = [ 1337 (-4) 123 0 ]; };
  testToIntBadText = { expr = fails (lib.toInt "3.14"); expected = true; };
  testToIntBadEmpty = { expr = fails (lib.toInt ""); expected = true; };
  testToIntOctalAmbiguity = { expr = fails (lib.toInt "0123"); expected = true; };
  testToIntBase10 = { expr = map lib.toIntBase10 [ "1337" "-4" " 123 " "00024" "000" "0" ]; expected = [ 1337 (-4) 123 24 0 0 ]; };
  testToIntBase10Bad = { expr = fails (lib.toIntBase10 "3.14"); expected = true; };
  testTrim = { expr = lib.strings.trim "   hello, world!   "; expected = "hello, world!"; };
  testTrimNewlines = { expr = lib.strings.trim "\n\t x y \r\n"; expected = "x y"; };
  testTrimAllSpace = { expr = lib.strings.trim "   "; expected = ""; };
  testTrimInnerNewline = { expr = lib.strings.trim " a\nb "; expected = "a\nb"; };
  testTrimWithStart = { expr = lib.strings.trimWith { start = true; } "  x  "; expected = "x  "; };
  testTrimWithEnd = { expr = lib.strings.trimWith { end = true; } "  x  "; expected = "  x"; };
  testIsStringLike = {
    expr = map lib.strings.isStringLike [ "a" ./. { outPath = "/x"; } { __toString = _: "x"; } 1 [ ] ];
    expected = [ true true true true false false ];
  };
  testIsConvertibleWithToString = {
    expr = map lib.strings.isConvertibleWithToString [ 1 null true [ "a" 1 ] { } (x: x) ];
    expected = [ true true true true false false ];
  };
  testSplitVersion = { expr = lib.splitVersion "1.2.3"; expected = [ "1" "2" "3" ]; };
}
