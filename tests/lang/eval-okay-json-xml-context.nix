# toJSON, toXML and toPath keep the string contexts of what they convert.
let
  s = builtins.appendContext "x" {
    "/nix/store/lfngsssysp6h1v4ccqg23c52s9sjl779-x" = { path = true; };
    "/nix/store/9d794zbx10n43fa6zaqf33pfymdrm4r2-foo.drv" = { outputs = [ "out" ]; };
  };
in {
  json = builtins.getContext (builtins.toJSON [ s { a = s; } ]);
  xml = builtins.getContext (builtins.toXML [ s ]);
  toPath = builtins.getContext (builtins.toPath "/x${s}");
  plain = builtins.getContext (builtins.toJSON { a = "no context"; });
}
