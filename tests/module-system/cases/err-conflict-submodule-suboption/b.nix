{
  # padding line
  s.a = 2222;
}
