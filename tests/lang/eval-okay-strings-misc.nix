# concatStringsSep, baseNameOf and dirOf: what each coerces, the
# trailing-slash rules, dirOf keeping paths as paths, and contexts.
let
  ctx = builtins.appendContext "/a/b" {
    "/nix/store/ffffffffffffffffffffffffffffffff-x" = { path = true; };
  };
in
{
  sep = builtins.concatStringsSep ", " [ "a" "b" "c" ];
  sepEmptyList = builtins.concatStringsSep ", " [ ];
  sepOne = builtins.concatStringsSep ", " [ "a" ];
  sepEmpty = builtins.concatStringsSep "" [ "a" "b" ];
  sepCoerced = builtins.concatStringsSep "," [ { outPath = "x"; } { __toString = s: "y"; } ];
  sepContext = builtins.getContext (builtins.concatStringsSep "/" [ "a" ctx ]);

  baseNames = map baseNameOf [ "/a/b/c" "/a/b/c/" "/a/b/c//" "/" "//" "" "a" "a/" { outPath = "/x/y"; } ];
  baseNamePath = baseNameOf ./foo/bar;
  baseNameContext = builtins.getContext (baseNameOf ctx);
  builtinsBaseNameOf = builtins.baseNameOf "/x/y";

  dirs = map dirOf [ "/a/b/c" "/a/b/c/" "/a" "/" "" "a" "a/b" "//a" { outPath = "/x/y"; } ];
  dirPathType = builtins.typeOf (dirOf ./foo/bar);
  dirStringType = builtins.typeOf (dirOf "/foo/bar");
  dirPathIsPath = dirOf ./foo/bar == ./foo;
  dirRoot = dirOf /a;
  dirContext = builtins.getContext (dirOf ctx);
  builtinsDirOf = builtins.dirOf "/x/y";
}
