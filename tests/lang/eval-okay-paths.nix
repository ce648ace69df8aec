[
  ./.
  ./foo/../bar
  (./. + "/sub/file.nix")
  (./a + "b")
  (toString ./x/y)
  (baseNameOf ./dir/file.nix)
  (dirOf ./dir/file.nix)
  (builtins.typeOf (./. + "/x"))
  ("${./.}" == toString ./.)
  (builtins.pathExists ./eval-okay-paths.nix)
  (builtins.pathExists ./does-not-exist)
  (/. + "etc")
  /a/b/./c/../d
]
