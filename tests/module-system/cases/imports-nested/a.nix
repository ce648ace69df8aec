{ imports = [ ./b.nix ]; fromA = "a"; }
