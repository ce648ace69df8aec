{
  # padding line
  x.k = 2222;
}
