# lib.generators.
{ lib }:
let
  g = lib.generators;
in
{
  testMkValueStringDefault = {
    expr = map (g.mkValueStringDefault { }) [ 1 "s" true false null ];
    expected = [ "1" "s" "true" "false" "null" ];
  };
  testMkKeyValueDefault = { expr = g.mkKeyValueDefault { } ":" "f:oo" "bar"; expected = "f\\:oo:bar"; };
  testMkKeyValueDefaultCustom = {
    expr = g.mkKeyValueDefault { mkValueString = v: "<${toString v}>"; } " = " "k" 3;
    expected = "k = <3>";
  };
  testToKeyValue = {
    expr = g.toKeyValue { } { key = "value"; other = 42; flag = true; };
    expected = "flag=true\nkey=value\nother=42\n";
  };
  testToKeyValueSep = {
    expr = g.toKeyValue { mkKeyValue = g.mkKeyValueDefault { } " = "; } { a = 1; };
    expected = "a = 1\n";
  };
  testToKeyValueDuplicateKeys = {
    expr = g.toKeyValue { listsAsDuplicateKeys = true; } { server = [ "a" "b" ]; x = 1; };
    expected = "server=a\nserver=b\nx=1\n";
  };
  testToKeyValueIndent = { expr = g.toKeyValue { indent = "  "; } { a = 1; }; expected = "  a=1\n"; };
  testToKeyValueEmpty = { expr = g.toKeyValue { } { }; expected = ""; };
  testToINI = {
    expr = g.toINI { } {
      foo = { hi = "pkgs"; ciao = "bar"; };
      baz = { "also, integers" = 42; };
    };
    expected = ''
      [baz]
      also, integers=42

      [foo]
      ciao=bar
      hi=pkgs
    '';
  };
  testToINIEscapedSection = { expr = g.toINI { } { "a[b]" = { x = 1; }; }; expected = "[a\\[b\\]]\nx=1\n"; };
  testToINICustom = {
    expr = g.toINI {
      mkSectionName = lib.toUpper;
      mkKeyValue = g.mkKeyValueDefault { } ": ";
    } { sec = { k = "v"; }; };
    expected = "[SEC]\nk: v\n";
  };
  testToINIDuplicateKeys = {
    expr = g.toINI { listsAsDuplicateKeys = true; } { s = { k = [ 1 2 ]; }; };
    expected = "[s]\nk=1\nk=2\n";
  };
  testToINIEmpty = { expr = g.toINI { } { }; expected = ""; };
  testToINIWithGlobalSection = {
    expr = g.toINIWithGlobalSection { } {
      globalSection = { top = "level"; };
      sections = { s = { a = 1; }; };
    };
    expected = "top=level\n\n[s]\na=1\n";
  };
  testToINIWithGlobalSectionEmptyGlobal = {
    expr = g.toINIWithGlobalSection { } { globalSection = { }; sections = { s = { a = 1; }; }; };
    expected = "[s]\na=1\n";
  };
  testToINIWithGlobalSectionNoSections = {
    expr = g.toINIWithGlobalSection { } { globalSection = { a = 1; }; };
    expected = "a=1\n\n";
  };
  testToGitINI = {
    expr = g.toGitINI {
      user = { name = "Jane"; email = "jane@example.org"; };
      url."ssh://git@example.org/".insteadOf = "https://example.org/";
      core.sharedRepository = 1;
    };
    expected = ''
      [core]
      	sharedRepository = 1

      [url "ssh://git@example.org/"]
      	insteadOf = "https://example.org/"

      [user]
      	email = "jane@example.org"
      	name = "Jane"
    '';
  };
  testToGitINIMulti = {
    expr = g.toGitINI { a.k = [ "x" "y\"z" ]; };
    expected = "[a]\n\tk = \"x\"\n\tk = \"y\\\"z\"\n";
  };
  testToJSON = { expr = g.toJSON { } { a = [ 1 true null ]; }; expected = ''{"a":[1,true,null]}''; };
  testToYAML = { expr = g.toYAML { } { a = "b"; }; expected = ''{"a":"b"}''; };

  testToPrettyScalars = {
    expr = map (g.toPretty { }) [ 1 true false null "foo" "with \"quote\" and \${x}" ];
    expected = [ "1" "true" "false" "null" "\"foo\"" "\"with \\\"quote\\\" and \\\${x}\"" ];
  };
  testToPrettyList = { expr = g.toPretty { } [ 1 "a" ]; expected = "[\n  1\n  \"a\"\n]"; };
  testToPrettyEmpty = { expr = map (g.toPretty { }) [ [ ] { } ]; expected = [ "[ ]" "{ }" ]; };
  testToPrettyAttrs = {
    expr = g.toPretty { } { a = 1; "b c" = [ ]; };
    expected = "{\n  a = 1;\n  \"b c\" = [ ];\n}";
  };
  testToPrettyNested = {
    expr = g.toPretty { } { a.b = [ 1 ]; };
    expected = "{\n  a = {\n    b = [\n      1\n    ];\n  };\n}";
  };
  testToPrettySingleLine = {
    expr = g.toPretty { multiline = false; } { a = [ 1 2 ]; b = "x\ny"; };
    expected = "{ a = [ 1 2 ]; b = \"x\\ny\"; }";
  };
  testToPrettyMultilineString = {
    expr = g.toPretty { } "a\nb\n";
    expected = "''\n  a\n  b\n''";
  };
  testToPrettyMultilineStringNoFinalNewline = {
    expr = g.toPretty { } "a\nb";
    expected = "''\n  a\n  b''";
  };
  testToPrettyFunction = {
    expr = [ (g.toPretty { } (x: x)) (g.toPretty { } ({ a, b ? 1 }: a)) ];
    expected = [ "<function>" "<function, args: {a, b?}>" ];
  };
  testToPrettyDerivation = {
    expr = g.toPretty { } { type = "derivation"; name = "hello"; outPath = "/x"; };
    expected = "<derivation hello>";
  };
  testToPrettyPrettyValue = {
    expr = g.toPretty { allowPrettyValues = true; } { __pretty = v: "<${v}>"; val = "x"; };
    expected = "<x>";
  };
  testToPrettyFloat = { expr = g.toPretty { } 0.5; expected = "0.5"; };
  testToPrettyIndent = { expr = g.toPretty { indent = "    "; } [ 1 ]; expected = "[\n      1\n    ]"; };
  testMkValueStringFloat = { expr = g.mkValueStringDefault { } 0.5; expected = "0.500000"; };
}
