# builtins.replaceStrings: first pattern that matches wins, empty patterns
# match between all characters and at the end, replacements are all forced,
# and only the contexts of replacements actually used are kept.
let
  withCtx = s: name: builtins.appendContext s {
    "/nix/store/ffffffffffffffffffffffffffffffff-${name}" = { path = true; };
  };
in
{
  manual = builtins.replaceStrings [ "oo" "a" ] [ "a" "i" ] "foobar";
  emptyPattern = builtins.replaceStrings [ "" ] [ "X" ] "ab";
  emptyPatternEmptyString = builtins.replaceStrings [ "" ] [ "X" ] "";
  emptyAfterOther = builtins.replaceStrings [ "a" "" ] [ "A" "X" ] "abc";
  emptyBeforeOther = builtins.replaceStrings [ "" "a" ] [ "X" "A" ] "abc";
  none = builtins.replaceStrings [ ] [ ] "abc";
  longerThanInput = builtins.replaceStrings [ "abc" ] [ "x" ] "ab";
  nonOverlapping = builtins.replaceStrings [ "aa" ] [ "b" ] "aaaaa";
  firstWins = builtins.replaceStrings [ "a" "aa" ] [ "1" "2" ] "aaa";
  firstWins2 = builtins.replaceStrings [ "aa" "a" ] [ "2" "1" ] "aaa";
  noRescan = builtins.replaceStrings [ "a" "b" ] [ "b" "c" ] "ab";
  usedContext = builtins.getContext
    (builtins.replaceStrings [ "a" "q" ] [ (withCtx "b" "used") (withCtx "c" "unused") ] "aaa");
  patternContextDropped = builtins.hasContext
    (builtins.replaceStrings [ (withCtx "a" "pattern") ] [ "b" ] "aaa");
  inputContextKept = builtins.getContext
    (builtins.replaceStrings [ "z" ] [ "y" ] (withCtx "abc" "input"));
}
