# Runs one case file of the lib tests (nixpkgs runTests style): the file is
# `{ lib }: { testName = { expr = …; expected = …; }; … }`. Each case's
# expr is forced deeply under tryEval, so a throwing case is reported as a
# failure instead of stopping the run (an `abort` still stops it).
#
# Result: { total = N; failures = [ "name: …" … ]; }, one line per failure.
{ file }:
let
  lib = import <firn/lib>;
  cases = import file { inherit lib; };
  show = v: lib.generators.toPretty { multiline = false; } v;

  check = name:
    let
      c = cases.${name};
      r = builtins.tryEval (builtins.deepSeq c.expr c.expr);
    in
    if !r.success then "${name}: expr threw; expected ${show c.expected}"
    else if r.value == c.expected then null
    else "${name}: expr ${show r.value}; expected ${show c.expected}";

  names = builtins.attrNames cases;
in
{
  total = builtins.length names;
  failures = builtins.filter (x: x != null) (map check names);
}
