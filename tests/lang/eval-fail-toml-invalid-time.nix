builtins.fromTOML "t = 1979-12-27T25:00:00"
