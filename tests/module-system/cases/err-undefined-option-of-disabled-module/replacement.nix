{
  disabledModules = [ ./original.nix ];
}
