builtins.div 1 0.0
