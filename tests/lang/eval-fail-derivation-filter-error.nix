# An error inside the filter function stops the copy.
builtins.path { path = ./files; filter = p: t: throw "no ${baseNameOf p}"; }
