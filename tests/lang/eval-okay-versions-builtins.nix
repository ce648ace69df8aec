# compareVersions, splitVersion and parseDrvName (Nix's names.cc rules:
# "pre" sorts first, numbers after words, digit runs that overflow an int
# are words, the name ends at the first dash not followed by a letter).
let
  cmp = builtins.compareVersions;
in
{
  compare = [
    (cmp "1.0" "2.3")
    (cmp "2.1" "2.3")
    (cmp "2.3" "2.3")
    (cmp "2.5" "2.3")
    (cmp "3.1" "2.3")
    (cmp "2.3.1" "2.3")
    (cmp "2.3.1" "2.3a")
    (cmp "2.3pre1" "2.3")
    (cmp "2.3pre3" "2.3pre12")
    (cmp "2.3a" "2.3c")
    (cmp "2.3pre1" "2.3c")
    (cmp "2.3pre1" "2.3q")
    (cmp "1.2" "1.2-pre")
    (cmp "" "")
    (cmp "" "1")
    (cmp "1" "")
    (cmp "a" "")
    (cmp "pre" "")
    (cmp "" "pre")
    (cmp "1.99999999999" "1.2")
    (cmp "1.2147483647" "1.2147483648")
    (cmp "1.0001" "1.1")
    (cmp "1..2" "1.2")
    (cmp "1-2" "1.2")
    (cmp "a.b" "a.c")
    (cmp "B" "a")
  ];
  split = map builtins.splitVersion [ "1.2.3" "1.2pre3-rc.4" "" "..--" "a-b.c..d" "2.3a" "héllo1" ];
  names = map builtins.parseDrvName [
    "nix-0.12pre12876"
    "apache-httpd-2.0.48"
    "foo"
    "foo-"
    "foo-bar"
    "foo-bar-"
    "-1"
    "foo--1"
    "foo-.1"
    "foo-é"
    ""
  ];
}
