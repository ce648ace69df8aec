# derivationStrict requires builder (and system).
derivation { name = "nobuilder"; system = "x86_64-linux"; }
