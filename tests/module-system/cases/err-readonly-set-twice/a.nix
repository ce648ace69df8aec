{
  ro = "one";
}
