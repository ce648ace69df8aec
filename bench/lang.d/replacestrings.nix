# replaceStrings applied to each of 100,000 strings.
let
  strs = builtins.genList (i: "item-${toString i}-end") 100000;
  r = map (builtins.replaceStrings [ "item" "-" "0" ] [ "x" "::" "zero" ]) strs;
in
builtins.foldl' (acc: s: acc + builtins.stringLength s) 0 r
