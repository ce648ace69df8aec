# readFile, readDir, pathExists, toPath, findFile and getEnv on the
# fixture directory ./files (hello.txt, sub/inner.nix, link -> hello.txt,
# dangling -> nowhere).
let
  dir = toString ./files;
in {
  read = builtins.readFile ./files/hello.txt;
  readString = builtins.readFile "${dir}/sub/inner.nix";
  readLink = builtins.readFile ./files/link;
  readDir = builtins.readDir ./files;
  readSub = builtins.readDir "${dir}//sub/";
  # pathExists uses lstat on the string as given: a dangling symlink exists,
  # a trailing slash after a file does not.
  exists = map builtins.pathExists [ ./files ./files/hello.txt ./files/link ./files/dangling ./files/missing "${dir}/hello.txt/" "${dir}/sub/" "${dir}/sub/../hello.txt" ];
  toPath = [ (builtins.toPath "/a/../b//c/") (builtins.toPath "/") (builtins.toPath "//x/./y/..") (builtins.toPath "/..") ];
  toPathType = builtins.typeOf (builtins.toPath ./files);
  findPrefixed = builtins.findFile [ { prefix = "nope"; path = "/nonexistent"; } { prefix = "f"; path = ./files; } ] "f/sub/inner.nix";
  findPrefixOnly = builtins.findFile [ { prefix = "f"; path = dir; } ] "f";
  findPlain = builtins.findFile [ { path = "/nonexistent"; } { path = ./files; } ] "hello.txt";
  findNotPrefix = (builtins.tryEval (builtins.findFile [ { prefix = "f"; path = ./files; } ] "fhello.txt")).success;
  findCorepkgs = builtins.findFile [ ] "nix/fetchurl.nix";
  findMissing = builtins.tryEval (builtins.findFile [ ] "missing");
  getEnvUnset = builtins.getEnv "FIRN_SURELY_UNSET_VARIABLE";
}
