# One past the largest 64-bit integer.
9223372036854775808
