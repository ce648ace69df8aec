{
  x = "hello";
}
