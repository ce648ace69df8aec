{
  imports = [ ./decl.nix ];
  x = 7;
  y = "from main";
}
