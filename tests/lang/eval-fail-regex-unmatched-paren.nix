# An unmatched ')' is an error in libstdc++'s grammar (glibc would take it
# as a literal).
builtins.match "a)" "a)"
