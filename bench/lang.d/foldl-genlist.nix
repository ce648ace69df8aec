# foldl' over a 1,000,000-element genList.
builtins.foldl' (acc: x: acc + x) 0 (builtins.genList (i: i * 3) 1000000)
