{ imports = [ ./c.nix ]; fromB = "b"; }
