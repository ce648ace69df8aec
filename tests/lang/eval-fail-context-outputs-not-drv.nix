builtins.appendContext "foo" {
  "/nix/store/ffffffffffffffffffffffffffffffff-x" = { outputs = [ "out" ]; };
}
