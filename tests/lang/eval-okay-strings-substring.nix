# builtins.substring and builtins.stringLength: byte offsets, Nix 2.8's
# truncation of the numbers to a C int, negative lengths meaning "to the
# end", coercion of the string argument, and context kept.
let
  ctx = builtins.appendContext "abcdefghijklmn" {
    "/nix/store/ffffffffffffffffffffffffffffffff-x" = { path = true; };
  };
in
{
  basic = builtins.substring 0 3 "nixos";
  tail = builtins.substring 3 100 "nixos";
  atEnd = builtins.substring 5 1 "nixos";
  pastEnd = builtins.substring 6 1 "nixos";
  negativeLen = builtins.substring 1 (-1) "nixos";
  zeroLen = builtins.substring 2 0 "nixos";
  # 2^32 + 1 is 1 once truncated to an int; 2^32 + 2 is 2.
  wrappedStart = builtins.substring 4294967297 2 "nixos";
  wrappedLen = builtins.substring 0 4294967298 "nixos";
  allOnesLen = builtins.substring 0 4294967295 "nixos";
  bytes = builtins.substring 1 2 "héllo";
  outPath = builtins.substring 1 2 { outPath = "hello"; };
  toStringAttr = builtins.substring 1 2 { __toString = self: "hello"; };
  contextKept = builtins.getContext (builtins.substring 9 3 ctx);
  emptyKeepsContext = builtins.hasContext (builtins.substring 100 1 ctx);
  lengths = map builtins.stringLength [ "" "abc" "héllo" { outPath = "ab"; } ctx ];
}
