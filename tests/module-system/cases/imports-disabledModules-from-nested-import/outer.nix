{ imports = [ ./inner.nix ]; }
