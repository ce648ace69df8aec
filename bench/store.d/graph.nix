# bench/store: a graph of n store paths, written by instantiating it.
#
# Text i (builtins.toFile "NAME-i") mentions texts (refs i), all of lower
# index, so it references them; the derivation NAME-top references the last
# text. Instantiating it (nix-instantiate FILE, firn instantiate FILE) writes
# the n texts and the .drv into the store with their references. The texts
# are forced in index order (foldl' below) so that no evaluation recurses
# deeper than one step whatever the shape of the graph.
#
#   import ./graph.nix { n = 5000; name = "closure"; refs = i: [ (i - 1) (i / 2) (i / 3) ]; }
{ n, name, refs }:
let
  texts = builtins.genList (i:
    if i == 0 then builtins.toFile "${name}-0" "leaf\n"
    else builtins.toFile "${name}-${toString i}"
      "node ${toString i}: ${builtins.concatStringsSep " " (map (builtins.elemAt texts) (refs i))}\n") n;
  forced = builtins.foldl' (acc: x: builtins.seq x acc) "" texts;
in derivation {
  name = "${name}-top";
  system = "x86_64-linux";
  builder = "/bin/sh";
  refs = builtins.seq forced "${builtins.elemAt texts (n - 1)}";
}
