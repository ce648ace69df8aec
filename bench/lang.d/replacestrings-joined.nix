# replaceStrings over one string joined from 100,000 strings.
let
  strs = builtins.genList (i: "item-${toString i}-end") 100000;
  big = builtins.concatStringsSep "\n" strs;
in
builtins.stringLength (builtins.replaceStrings [ "item" "-" "0" ] [ "x" "::" "zero" ] big)
