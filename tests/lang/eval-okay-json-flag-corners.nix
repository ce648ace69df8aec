{ s = "a\"b\n"; f = 0.5; big = 1.0e30; l = [ null true { z = 1; y = 2; } ]; p = { outPath = "out"; }; }
