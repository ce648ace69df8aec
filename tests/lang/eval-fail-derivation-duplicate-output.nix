# Output names are a set.
(derivation { name = "d"; system = "s"; builder = "/b"; outputs = [ "out" "dev" "out" ]; }).drvPath
