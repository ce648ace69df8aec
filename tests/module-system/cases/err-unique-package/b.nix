{
  # padding line
  pkg = { type = "derivation"; name = "pkg-two"; outPath = "/nix/store/11111111111111111111111111111111-pkg-two"; };
}
