builtins.convertHash {
  hash = "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";
  toHashFormat = "hex";
}
