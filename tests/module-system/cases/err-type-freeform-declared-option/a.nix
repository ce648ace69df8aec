{
  settings.logLevel = "debug";
  settings.port = "443";
}
