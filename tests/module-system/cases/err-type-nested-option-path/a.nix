{
  services.web.port = "http";
}
