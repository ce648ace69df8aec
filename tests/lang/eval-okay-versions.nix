with builtins;
{
  compare = map (p: compareVersions (elemAt p 0) (elemAt p 1)) [
    [ "1.0" "2.3" ] [ "2.1" "2.3" ] [ "2.3" "2.3" ] [ "2.5" "2.3" ]
    [ "3.1" "2.3" ] [ "2.3.1" "2.3" ] [ "2.3.1" "2.3a" ] [ "2.3pre1" "2.3" ]
    [ "2.3" "2.3pre1" ] [ "2.3pre3" "2.3pre12" ] [ "2.3a" "2.3c" ]
    [ "2.3pre1" "2.3c" ] [ "2.3pre1" "2.3q" ] [ "" "1" ] [ "1.0" "1.0.0" ]
    [ "1_0" "1.0" ] [ "01" "1" ] [ "1.a" "1.b" ] [ "alpha" "beta" ]
  ];
  split = map splitVersion [
    "1.2.3" "1.2a3" "2.3pre1" "1..2" "" "abc" "1-2_3" "1.02"
  ];
  parse = map parseDrvName [
    "hello-2.10" "firefox-esr-115.0" "nix" "foo-bar" "foo-1-bar-2"
    "gcc-wrapper-12.2.0" "x-" "-1.0" "a-b-c"
  ];
}
