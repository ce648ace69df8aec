{
  x = "first\nsecond";
}
