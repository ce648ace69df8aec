# An unknown algorithm is a usage error in Nix 2.8: no position.
builtins.hashString "sha3" "abc"
