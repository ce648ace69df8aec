# String helpers as written in real libraries: regex-based sanitising of
# derivation names, natural sort keys, shell escaping and version handling.
let
  sanitize = s:
    let
      noDots = builtins.elemAt (builtins.match "\\.*(.*)" s) 0;
      parts = builtins.split "[^[:alnum:]+._?=-]+" noDots;
      joined = builtins.concatStringsSep "" (map (p: if builtins.isList p then "-" else p) parts);
      cut = builtins.substring (let l = builtins.stringLength joined - 207; in if l > 0 then l else 0) (-1) joined;
    in if cut == "" then "unknown" else cut;
  vectorise = s: map (x: if builtins.isList x then builtins.fromJSON (builtins.head x) else x)
    (builtins.split "(0|[1-9][0-9]*)" s);
  escapeShellArg = a: "'${builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString a)}'";
in {
  names = map sanitize [ "../hello.bar # foo" "" "..." " !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~" ];
  vectors = map vectorise [ "disk11" "v0.0.9" "10.46.133.149" "x" ];
  shell = map escapeShellArg [ "esc'ape\nme" 42 "" ];
  versions = [
    (builtins.compareVersions "2.3pre1" "2.3") (builtins.compareVersions "1.2.3a" "1.2.3")
    (builtins.compareVersions "20.09pre" "20.03") (builtins.splitVersion "1.2.3pre-4_a")
    (builtins.parseDrvName "nix-2.8.0pre20220101_abc") (builtins.parseDrvName "foo-bar-2.0-rc1")
  ];
}
