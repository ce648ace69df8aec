# The filter of filterSource must be a function.
builtins.filterSource 1 ./files
