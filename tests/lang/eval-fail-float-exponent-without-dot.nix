# `1e10` is the integer 1 applied to the variable e10, not a float.
1e10
