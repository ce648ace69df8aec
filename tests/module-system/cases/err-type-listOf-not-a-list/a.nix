{
  x = "lonely";
}
