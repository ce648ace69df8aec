# What goes into a .drv: environment coercions and escapes, args,
# __structuredAttrs, __ignoreNulls, passAsFile, placeholders, inputs from
# string contexts. Each shows in drvPath (the hash of the ATerm).
let
  mk = attrs: derivation ({ name = "env"; system = "x86_64-linux"; builder = "/bin/sh"; } // attrs);
  dep = mk { name = "dep"; outputs = [ "out" "dev" ]; };
  fixed = mk { name = "fixed"; outputHash = "sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM="; };
  cases = {
    coercions = mk { i = 42; t = true; f = false; n = null; fl = 1.5; l = [ "a" 1 true null [ "b" [ ] "c" ] ]; e = [ ]; };
    args = mk { args = [ "-c" 1 true null [ "x" "y" ] ]; };
    escapes = mk { nl = "a\nb"; tab = "a\tb"; cr = "a\rb"; q = "\"q\""; bs = "\\"; d = "\${x}"; u = "é✓"; "k y" = "v"; };
    ignore-nulls = mk { __ignoreNulls = true; gone = null; kept = ""; };
    pass-as-file = mk { passAsFile = [ "big" ]; big = "contents\n"; };
    structured = mk { __structuredAttrs = true; outputs = [ "out" "doc" ]; nested = { a = [ 1 2.5 null "s" ]; b.c = true; }; inherit dep; };
    structured-nulls = mk { __structuredAttrs = true; __ignoreNulls = true; gone = null; };
    placeholder = mk { outputs = [ "out" "bin" ]; p = "${placeholder "bin"}/bin"; };
    inputs = mk { a = dep; b = dep.dev; c = "${dep}:${dep.dev}"; f = fixed; };
    discard = mk { d = builtins.unsafeDiscardOutputDependency dep.drvPath; };
    multi-outputs = mk { outputs = [ "out" "lib" "dev" "bin" ]; };
    json = mk { __structuredAttrs = true; j = builtins.toJSON { x = 1; }; };
  };
in builtins.mapAttrs (n: d: [ d.drvPath ] ++ map (o: o.outPath) d.all) cases
  // {
    placeholders = [ (placeholder "out") (placeholder "dev") ];
    # Without the wrapper, outputs may be a string of names.
    outputs-string = derivationStrict { name = "s"; system = "s"; builder = "/b"; outputs = " out\tdev\n"; };
  }
