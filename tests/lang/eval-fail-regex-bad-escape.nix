# Only special characters may be escaped: \d is not a digit class here.
builtins.split "\\d+" "a1b22c"
