# String context builtins: appendContext and getContext round-trip the three
# kinds of element (plain path, all outputs of a derivation, one output),
# unsafeDiscardOutputDependency turns "all outputs" into a plain path.
let
  drv = "/nix/store/ffffffffffffffffffffffffffffffff-x.drv";
  src = "/nix/store/ffffffffffffffffffffffffffffffff-y";
  s = builtins.appendContext "foo" {
    ${drv} = { path = true; allOutputs = true; outputs = [ "out" "bin" "dev" ]; };
    ${src} = { path = true; };
  };
in
{
  plain = builtins.hasContext "foo";
  has = builtins.hasContext s;
  get = builtins.getContext s;
  falseFlags = builtins.getContext (builtins.appendContext "foo" {
    ${drv} = { path = false; allOutputs = false; outputs = [ ]; };
  });
  emptyInfo = builtins.getContext (builtins.appendContext "foo" { ${drv} = { }; });
  duplicateOutputs = builtins.getContext (builtins.appendContext "foo" { ${drv} = { outputs = [ "b" "a" "b" ]; }; });
  merged = builtins.getContext (builtins.appendContext
    (builtins.appendContext "foo" { ${drv} = { outputs = [ "b" ]; }; })
    { ${drv} = { outputs = [ "a" ]; allOutputs = true; }; });
  nonCanonicalKey = builtins.getContext (builtins.appendContext "foo" {
    "/nix/store//ffffffffffffffffffffffffffffffff-y" = { path = true; };
  });
  stringKept = builtins.appendContext "foo" { };
  discarded = builtins.hasContext (builtins.unsafeDiscardStringContext s);
  discardedValue = builtins.unsafeDiscardStringContext s;
  discardCoerces = builtins.unsafeDiscardStringContext { outPath = "x"; };
  outputDependency = builtins.getContext (builtins.unsafeDiscardOutputDependency s);
  concatenated = builtins.getContext (s + builtins.appendContext "bar" { ${src} = { path = true; }; });
}
