{
  x = "true";
}
