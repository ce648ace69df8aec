# Library files mention `derivation` (and fetchers) in functions that are
# never called; the file must still load: these are ordinary globals.
let
  overrideDerivation = drv: f: derivation (drv.drvAttrs // f drv);
  fetch = url: fetchTarball url;
in {
  ok = 1;
  types = map builtins.typeOf [ derivation derivationStrict fetchGit fetchTarball fetchTree fetchMercurial ];
  builtinsTypes = map (n: builtins.typeOf builtins.${n}) [ "derivation" "path" "filterSource" "toFile" "storePath" "fetchurl" ];
}
