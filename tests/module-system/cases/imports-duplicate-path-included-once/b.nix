{ imports = [ ./common.nix ./a.nix ]; }
