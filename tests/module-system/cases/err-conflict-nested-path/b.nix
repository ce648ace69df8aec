{
  # padding line
  services.web.port = 9090;
}
