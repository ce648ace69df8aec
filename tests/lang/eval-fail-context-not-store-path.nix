builtins.appendContext "foo" { "/nix/store/not-a-store-path" = { path = true; }; }
