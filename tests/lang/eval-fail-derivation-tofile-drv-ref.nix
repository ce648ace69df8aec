# toFile may refer to store paths, not to derivation outputs.
let d = derivation { name = "d"; system = "s"; builder = "/b"; }; in builtins.toFile "f" "${d}"
