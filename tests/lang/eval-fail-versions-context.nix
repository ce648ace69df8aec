# Version strings must not have a context.
builtins.compareVersions "1.0" (builtins.appendContext "2.0" {
  "/nix/store/ffffffffffffffffffffffffffffffff-x" = { path = true; };
})
