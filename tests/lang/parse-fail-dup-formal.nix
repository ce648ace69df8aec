{ a, b, a }:
a
