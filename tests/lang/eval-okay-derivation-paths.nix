# Store paths of sources: toFile, builtins.path, filterSource, storePath,
# and their string contexts.
let
  txt = builtins.toFile "a.txt" "alpha\n";
  refs = builtins.toFile "refs" "see ${txt} and ${./files/hello.txt}";
  src = builtins.path { path = ./files; name = "my-files"; };
  noLinks = builtins.path { path = ./files; filter = p: t: t != "symlink"; };
  flat = builtins.path { path = ./files/hello.txt; recursive = false; };
  checked = builtins.path { path = ./files/hello.txt; name = "h"; sha256 = "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13"; };
  filtered = builtins.filterSource (p: t: baseNameOf p != "sub") ./files;
  seen = builtins.filterSource (p: t: builtins.trace "${baseNameOf p} ${t}" true) ./files/sub;
  stored = builtins.storePath "/nix/store/0000000000000000000000000000000a-stored";
  inner = builtins.storePath "/nix/store/0000000000000000000000000000000a-stored/../0000000000000000000000000000000b-x";
  ctx = builtins.getContext;
in {
  inherit txt refs src noLinks flat checked filtered seen stored inner;
  contexts = map ctx [ txt refs src flat stored inner ];
  drv = (derivation { name = "p"; system = "s"; builder = txt; args = [ src stored ./files/hello.txt ]; }).drvPath;
}
