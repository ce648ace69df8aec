# bench/build: a closure of n store paths to substitute, written by
# evaluating this file in read-write mode
# (nix-instantiate --eval --read-write-mode FILE), which prints the path of
# its top, text n - 1.
#
# Text i (builtins.toFile "NAME-i") mentions texts i - 1, i / 2 and i / 3,
# so it references them and the closure of the last text holds all n. The
# texts are forced in index order (foldl' below) so that no evaluation
# recurses deeper than one step.
#
#   import ./closure.nix { n = 300; name = "bench-sub"; }
{ n, name }:
let
  texts = builtins.genList (i:
    if i == 0 then builtins.toFile "${name}-0" "leaf\n"
    else builtins.toFile "${name}-${toString i}"
      "node ${toString i}: ${builtins.concatStringsSep " "
        (map (builtins.elemAt texts) [ (i - 1) (i / 2) (i / 3) ])}\n") n;
  forced = builtins.foldl' (acc: x: builtins.seq x acc) "" texts;
in builtins.seq forced (builtins.elemAt texts (n - 1))
