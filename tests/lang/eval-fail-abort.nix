if true then abort "stop here" else 1
