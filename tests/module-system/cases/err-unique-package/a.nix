{
  pkg = { type = "derivation"; name = "pkg-one"; outPath = "/nix/store/00000000000000000000000000000000-pkg-one"; };
}
