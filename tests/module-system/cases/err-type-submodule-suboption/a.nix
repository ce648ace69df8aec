{
  s.a = "not a number";
}
