# The `derivation` wrapper: its attributes, outputs, string contexts.
let
  d = derivation {
    name = "basic";
    system = "x86_64-linux";
    builder = "/bin/sh";
    args = [ "-c" "echo > $out" ];
    outputs = [ "out" "dev" "lib" ];
    extra = 1;
  };
  ctx = s: builtins.getContext s;
in {
  names = builtins.attrNames d;
  devNames = builtins.attrNames d.dev;
  inherit (d) type outputName drvPath outPath name extra;
  outputs = map (o: { inherit (o) outputName outPath; }) d.all;
  sameDrv = d.dev.drvPath == d.drvPath && d.lib.drvPath == d.drvPath;
  outIsDefault = d.out.outPath == d.outPath && d.outputName == "out";
  drvAttrs = d.drvAttrs;
  strict = builtins.attrNames (derivationStrict d.drvAttrs);
  contexts = {
    drvPath = ctx d.drvPath;
    outPath = ctx d.outPath;
    dev = ctx d.dev.outPath;
    interpolated = ctx "${d} ${d.lib}";
  };
  isDerivation = [ (builtins.typeOf d) (d ? type) (builtins.isFunction derivation) (builtins.isFunction builtins.derivation) ];
  equal = [ (d == d.out) (d == d.dev) (d.dev == d.dev) ];
  lazy = (derivation { name = "x"; }).type;
  firstOutput = (derivation { name = "first"; system = "s"; builder = "/b"; outputs = [ "lib" "out" ]; }).outputName;
  toStr = toString d.dev;
  fetchersExist = [ (builtins ? fetchurl) (builtins ? fetchTarball) (builtins ? fetchGit) (builtins ? fetchMercurial)
                    (builtins ? fetchTree) (builtins ? derivationStrict) (builtins ? derivation) ];
  functions = map builtins.typeOf [ fetchTarball fetchGit fetchMercurial fetchTree derivationStrict builtins.fetchurl ];
}
