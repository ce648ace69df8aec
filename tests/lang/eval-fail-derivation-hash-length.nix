# A hash of the wrong length for its algorithm.
(derivation { name = "h"; system = "s"; builder = "/b"; outputHashAlgo = "sha256"; outputHash = "abcd"; }).outPath
