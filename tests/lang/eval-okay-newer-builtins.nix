# Builtins added after Nix 2.8 that nixpkgs' lib uses (see nix-differs.txt).
[
  (builtins.readFileType ./eval-okay-newer-builtins.nix)
  (builtins.readFileType ./.)
  (builtins.convertHash {
    hash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    toHashFormat = "base16";
  })
  (builtins.convertHash {
    hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    hashAlgo = "sha256";
    toHashFormat = "nix32";
  })
  (builtins.convertHash {
    hash = "sha1:a9993e364706816aba3e25717850c26c9cd0d89d";
    toHashFormat = "sri";
  })
]
