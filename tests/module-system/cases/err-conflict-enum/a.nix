{
  mode = "fast";
}
