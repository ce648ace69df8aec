# --xml shows a derivation's attributes with the positions of the
# `derivation` function's own source, which firn keeps as Nix has them.
derivation { name = "xml"; system = "x86_64-linux"; builder = "/bin/sh"; outputs = [ "out" "dev" ]; }
