{
  # padding line
  x = 2222;
}
