# A fixed-output derivation has exactly one output, out.
(derivation { name = "d"; system = "s"; builder = "/b"; outputs = [ "out" "dev" ]; outputHash = "sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM="; }).drvPath
