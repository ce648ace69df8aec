{
  extra = "one";
}
