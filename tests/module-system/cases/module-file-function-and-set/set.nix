{
  b = "set";
}
