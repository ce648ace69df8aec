{
  services.nignx.enable = true;
}
