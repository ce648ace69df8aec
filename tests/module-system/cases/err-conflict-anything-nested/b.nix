{
  # padding line
  a.x = 2222;
}
