# concatStringsSep over 100,000 strings.
let
  strs = builtins.genList (i: "item-${toString i}") 100000;
in
builtins.stringLength (builtins.concatStringsSep ", " strs)
