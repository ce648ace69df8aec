builtins.hashFile "sha256" ./data/does-not-exist
