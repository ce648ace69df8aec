# outputHashMode is "flat" or "recursive".
derivation { name = "m"; system = "s"; builder = "/b"; outputHash = "sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM="; outputHashMode = "text"; }
