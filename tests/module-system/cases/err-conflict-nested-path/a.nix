{
  services.web.port = 8080;
}
