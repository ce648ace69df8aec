# Content-addressed derivations are experimental in Nix 2.8.
(derivation { name = "ca"; system = "s"; builder = "/b"; __contentAddressed = true; }).outPath
