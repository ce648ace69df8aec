# builtins.readFileType (Nix 2.14+; absent from Nix 2.8): the lstat type.
map builtins.readFileType [ ./files/hello.txt ./files/sub ./files/link ./files/dangling "${toString ./files}/sub/inner.nix" ]
